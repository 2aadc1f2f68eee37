//! A typed builder for Intercom's search query language, enforcing the documented limits before sending.

use serde_json::{json, Value};

/// Most nesting levels of AND/OR groups.
pub const MAX_NESTING: usize = 2;
/// Most filters in one AND/OR group.
pub const MAX_GROUP_ITEMS: usize = 15;
/// Largest page size.
pub const MAX_PER_PAGE: u32 = 150;

/// Fields compared by calendar day, which only accept `=`, `<` and `>`.
pub const DATE_FIELDS: &[&str] = &[
    "created_at",
    "updated_at",
    "signed_up_at",
    "last_seen_at",
    "last_contacted_at",
    "last_replied_at",
    "last_email_opened_at",
    "last_email_clicked_at",
    "waiting_since",
    "snoozed_until",
];

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `IN` (array value)
    In,
    /// `NIN` (array value)
    Nin,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `~` contains
    Contains,
    /// `!~` does not contain
    NotContains,
    /// `^` starts with
    StartsWith,
    /// `$` ends with
    EndsWith,
}

impl Op {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::In => "IN",
            Self::Nin => "NIN",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Contains => "~",
            Self::NotContains => "!~",
            Self::StartsWith => "^",
            Self::EndsWith => "$",
        }
    }

    /// Parses the wire form.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "=" => Self::Eq,
            "!=" => Self::Ne,
            "IN" => Self::In,
            "NIN" => Self::Nin,
            "<" => Self::Lt,
            "<=" => Self::Le,
            ">" => Self::Gt,
            ">=" => Self::Ge,
            "~" => Self::Contains,
            "!~" => Self::NotContains,
            "^" => Self::StartsWith,
            "$" => Self::EndsWith,
            _ => return None,
        })
    }
}

/// A query: one filter or an AND/OR group.
#[derive(Clone, PartialEq)]
pub enum Query {
    /// `{field, operator, value}`
    Filter {
        /// The field, e.g. `email` or `custom_attributes.plan`.
        field: String,
        /// The operator.
        op: Op,
        /// The value (string, number, bool, array or null).
        value: Value,
    },
    /// `{operator: AND|OR, value: [...]}`
    Group {
        /// True for AND, false for OR.
        and: bool,
        /// The members.
        items: Vec<Query>,
    },
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values are often emails: only the shape is printed.
        match self {
            Self::Filter { field, op, .. } => write!(f, "{field} {} ****", op.as_str()),
            Self::Group { and, items } => {
                f.write_str(if *and { "AND" } else { "OR" })?;
                f.debug_list().entries(items).finish()
            }
        }
    }
}

impl Query {
    /// A single filter.
    pub fn filter(field: &str, op: Op, value: impl Into<Value>) -> Self {
        Self::Filter { field: field.to_owned(), op, value: value.into() }
    }

    /// `field = value`.
    pub fn eq(field: &str, value: impl Into<Value>) -> Self {
        Self::filter(field, Op::Eq, value)
    }

    /// An AND group.
    pub fn and(items: impl IntoIterator<Item = Query>) -> Self {
        Self::Group { and: true, items: items.into_iter().collect() }
    }

    /// An OR group.
    pub fn or(items: impl IntoIterator<Item = Query>) -> Self {
        Self::Group { and: false, items: items.into_iter().collect() }
    }

    /// Checks the documented limits; the error says what to change.
    pub fn validate(&self) -> Result<(), String> {
        self.validate_at(0)
    }

    fn validate_at(&self, depth: usize) -> Result<(), String> {
        match self {
            Self::Filter { field, op, value } => {
                if field.is_empty() {
                    return Err("a filter has an empty field name".to_owned());
                }
                let is_date = DATE_FIELDS.contains(&field.as_str());
                if is_date && !matches!(op, Op::Eq | Op::Lt | Op::Gt) {
                    return Err(format!(
                        "date field {field} only supports =, < and > (by day): rewrite the {} comparison",
                        op.as_str()
                    ));
                }
                let wants_array = matches!(op, Op::In | Op::Nin);
                if wants_array != value.is_array() {
                    return Err(format!(
                        "operator {} on {field} needs {} value",
                        op.as_str(),
                        if wants_array { "an array" } else { "a single" }
                    ));
                }
                if (field == "tag_id") && !matches!(op, Op::Eq | Op::Ne) {
                    return Err("tag_id only supports = and !=".to_owned());
                }
                Ok(())
            }
            Self::Group { items, .. } => {
                if depth >= MAX_NESTING {
                    return Err(format!("query nests AND/OR groups deeper than {MAX_NESTING} levels: flatten it"));
                }
                if items.is_empty() {
                    return Err("an AND/OR group is empty".to_owned());
                }
                if items.len() > MAX_GROUP_ITEMS {
                    return Err(format!(
                        "an AND/OR group has {} filters, the limit is {MAX_GROUP_ITEMS}: split the search",
                        items.len()
                    ));
                }
                items.iter().try_for_each(|item| item.validate_at(depth + 1))
            }
        }
    }

    /// The JSON form.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Filter { field, op, value } => {
                json!({"field": field, "operator": op.as_str(), "value": value})
            }
            Self::Group { and, items } => json!({
                "operator": if *and { "AND" } else { "OR" },
                "value": items.iter().map(Query::to_json).collect::<Vec<_>>(),
            }),
        }
    }
}

/// A search request: query, page size and sort.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query.
    pub query: Query,
    /// Page size (1..=150).
    pub per_page: Option<u32>,
    /// `(field, ascending)`.
    pub sort: Option<(String, bool)>,
}

impl SearchRequest {
    /// A request with default paging.
    pub fn new(query: Query) -> Self {
        Self { query, per_page: None, sort: None }
    }

    /// Sets the page size.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Sorts by a field.
    pub fn sort(mut self, field: &str, ascending: bool) -> Self {
        self.sort = Some((field.to_owned(), ascending));
        self
    }

    /// Checks every documented limit.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(per_page) = self.per_page {
            if per_page == 0 || per_page > MAX_PER_PAGE {
                return Err(format!("per_page {per_page} is out of range: use 1 to {MAX_PER_PAGE}"));
            }
        }
        self.query.validate()
    }

    /// The body, with the cursor in `pagination.starting_after` (never in the query string).
    pub fn body(&self, starting_after: Option<&str>) -> Value {
        let mut body = json!({"query": self.query.to_json()});
        let mut pagination = serde_json::Map::new();
        if let Some(per_page) = self.per_page {
            pagination.insert("per_page".into(), per_page.into());
        }
        if let Some(cursor) = starting_after {
            pagination.insert("starting_after".into(), cursor.into());
        }
        if !pagination.is_empty() {
            body["pagination"] = Value::Object(pagination);
        }
        if let Some((field, ascending)) = &self.sort {
            body["sort"] = json!({"field": field, "order": if *ascending { "ascending" } else { "descending" }});
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_enforced() {
        let ok = Query::and([
            Query::eq("email", "a@b.c"),
            Query::or([Query::eq("role", "lead"), Query::eq("external_id", "1")]),
        ]);
        assert!(ok.validate().is_ok());
        let too_deep = Query::and([Query::or([Query::and([Query::eq("role", "lead")])])]);
        assert!(too_deep.validate().unwrap_err().contains("deeper"));
        let too_wide = Query::or((0..16).map(|i| Query::eq("external_id", i.to_string())));
        assert!(too_wide.validate().unwrap_err().contains("limit is 15"));
        let bad_date = Query::filter("created_at", Op::Ge, 1_700_000_000);
        assert!(bad_date.validate().is_err());
        assert!(Query::filter("email", Op::In, "x").validate().is_err());
        assert!(SearchRequest::new(Query::eq("role", "user")).per_page(151).validate().is_err());
    }

    #[test]
    fn cursor_goes_in_the_body() {
        let body = SearchRequest::new(Query::eq("role", "user")).per_page(10).body(Some("abc"));
        assert_eq!(body["pagination"]["starting_after"], "abc");
        assert_eq!(body["query"]["operator"], "=");
        assert!(!format!("{:?}", Query::eq("email", "secret@x.io")).contains("secret"));
    }
}
