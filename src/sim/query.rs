//! Search semantics of the simulator: Intercom's query language evaluated over JSON documents.

use serde_json::Value;

use super::data::DAY;
use crate::intercom::search::{Op, DATE_FIELDS, MAX_GROUP_ITEMS, MAX_NESTING};

/// A parsed query.
#[derive(Debug, Clone)]
pub enum SimQuery {
    /// A single comparison.
    Filter {
        /// Dotted field path.
        field: String,
        /// Operator.
        op: Op,
        /// Value.
        value: Value,
    },
    /// AND (true) or OR (false).
    Group(bool, Vec<SimQuery>),
}

/// Parses and checks a query as Intercom does; the error is the message of a 400 `parameter_invalid`.
pub fn parse(value: &Value) -> Result<SimQuery, String> {
    parse_at(value, 0)
}

fn parse_at(value: &Value, depth: usize) -> Result<SimQuery, String> {
    let obj = value.as_object().ok_or("query must be an object")?;
    let operator = obj.get("operator").and_then(Value::as_str).ok_or("query operator is missing")?;
    if operator == "AND" || operator == "OR" {
        if depth >= MAX_NESTING {
            return Err("Nested queries are limited to 2 levels".to_owned());
        }
        let items = obj.get("value").and_then(Value::as_array).ok_or("AND/OR value must be an array")?;
        if items.is_empty() || items.len() > MAX_GROUP_ITEMS {
            return Err(format!("A maximum of {MAX_GROUP_ITEMS} filters is allowed per group"));
        }
        let parsed = items.iter().map(|item| parse_at(item, depth + 1)).collect::<Result<_, _>>()?;
        return Ok(SimQuery::Group(operator == "AND", parsed));
    }
    let op = Op::parse(operator).ok_or_else(|| format!("Operator {operator} is not supported"))?;
    let field = obj.get("field").and_then(Value::as_str).ok_or("field is missing")?.to_owned();
    let value = obj.get("value").cloned().unwrap_or(Value::Null);
    if DATE_FIELDS.contains(&field.as_str()) && !matches!(op, Op::Eq | Op::Lt | Op::Gt) {
        return Err(format!("Operator {operator} is not supported for date field {field}"));
    }
    if matches!(op, Op::In | Op::Nin) != value.is_array() {
        return Err(format!("Operator {operator} needs an array value only for IN and NIN"));
    }
    Ok(SimQuery::Filter { field, op, value })
}

/// Whether `doc` matches.
pub fn matches(query: &SimQuery, doc: &Value) -> bool {
    match query {
        SimQuery::Group(true, items) => items.iter().all(|q| matches(q, doc)),
        SimQuery::Group(false, items) => items.iter().any(|q| matches(q, doc)),
        SimQuery::Filter { field, op, value } => {
            let found = lookup(doc, field);
            let is_date = DATE_FIELDS.contains(&field.as_str());
            match op {
                Op::Ne | Op::Nin | Op::NotContains => {
                    let positive = match op {
                        Op::Ne => Op::Eq,
                        Op::Nin => Op::In,
                        _ => Op::Contains,
                    };
                    !found.iter().any(|f| compare(f, positive, value, is_date))
                }
                _ => found.iter().any(|f| compare(f, *op, value, is_date)),
            }
        }
    }
}

fn lookup<'a>(doc: &'a Value, field: &str) -> Vec<&'a Value> {
    let mut current = vec![doc];
    for key in field.split('.') {
        let mut next = Vec::new();
        for value in current {
            match value {
                Value::Object(map) => {
                    if let Some(v) = map.get(key) {
                        next.push(v);
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        if let Some(v) = item.get(key) {
                            next.push(v);
                        }
                    }
                }
                _ => {}
            }
        }
        current = next;
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect()
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn compare(found: &Value, op: Op, wanted: &Value, is_date: bool) -> bool {
    if is_date {
        let (Some(f), Some(w)) = (as_number(found), as_number(wanted)) else {
            return false;
        };
        // Dates compare by calendar day (the simulated workspace's timezone is UTC).
        let (f, w) = (f as u64, w as u64);
        let day_start = w - w % DAY;
        return match op {
            Op::Eq => f - f % DAY == day_start,
            Op::Gt => f >= day_start + DAY,
            Op::Lt => f < day_start,
            _ => false,
        };
    }
    match op {
        Op::In => wanted.as_array().is_some_and(|items| items.iter().any(|w| equal(found, w))),
        Op::Eq => equal(found, wanted),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => match (as_number(found), as_number(wanted)) {
            (Some(f), Some(w)) => match op {
                Op::Lt => f < w,
                Op::Le => f <= w,
                Op::Gt => f > w,
                _ => f >= w,
            },
            _ => false,
        },
        Op::Contains | Op::StartsWith | Op::EndsWith => {
            let (Some(f), Some(w)) = (as_text(found), as_text(wanted)) else {
                return false;
            };
            let (f, w) = (f.to_lowercase(), w.to_lowercase());
            match op {
                Op::Contains => f.contains(&w),
                Op::StartsWith => f.starts_with(&w),
                _ => f.ends_with(&w),
            }
        }
        Op::Ne | Op::Nin | Op::NotContains => false,
    }
}

fn equal(found: &Value, wanted: &Value) -> bool {
    if found == wanted {
        return true;
    }
    match (found, wanted) {
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::String(f), Value::String(w)) => f.eq_ignore_ascii_case(w),
        _ => as_text(found).is_some() && as_text(found) == as_text(wanted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn semantics() {
        let doc = json!({"email": "Ana@Example.com", "created_at": 1_700_000_000u64, "tag_id": ["1", "2"], "location": {"city": "Paris"}});
        let q = |v: Value| parse(&v).unwrap();
        assert!(matches(&q(json!({"field": "email", "operator": "=", "value": "ana@example.com"})), &doc));
        assert!(matches(&q(json!({"field": "email", "operator": "~", "value": "example"})), &doc));
        assert!(matches(&q(json!({"field": "tag_id", "operator": "=", "value": "2"})), &doc));
        assert!(!matches(&q(json!({"field": "tag_id", "operator": "!=", "value": "2"})), &doc));
        assert!(matches(&q(json!({"field": "location.city", "operator": "^", "value": "par"})), &doc));
        // Same day, later time: `=` matches the whole day, `>` starts at the next day.
        assert!(matches(&q(json!({"field": "created_at", "operator": "=", "value": 1_700_000_000u64 - 60})), &doc));
        assert!(!matches(&q(json!({"field": "created_at", "operator": ">", "value": 1_700_000_000u64 - 60})), &doc));
        assert!(parse(&json!({"field": "created_at", "operator": ">=", "value": 1})).is_err());
        let deep = json!({"operator": "AND", "value": [{"operator": "OR", "value": [{"operator": "AND", "value": [{"field": "a", "operator": "=", "value": 1}]}]}]});
        assert!(parse(&deep).is_err());
    }
}
