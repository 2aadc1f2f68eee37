//! Typed request and response bodies of the Intercom operations Steward uses; unknown fields are ignored.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::IntercomError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Parses an id: 1 to 64 ASCII letters, digits, `_` or `-`.
            pub fn parse(raw: &str) -> Result<Self, IntercomError> {
                let ok = !raw.is_empty()
                    && raw.len() <= 64
                    && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if ok {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(IntercomError::InvalidRequest {
                        operation: "parse id",
                        reason: concat!("malformed ", $what, " id: use the id intercom returned").to_owned(),
                    })
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// An Intercom contact id (user or lead).
    ContactId,
    "contact"
);
id_type!(
    /// A conversation id.
    ConversationId,
    "conversation"
);
id_type!(
    /// A conversation part id.
    PartId,
    "conversation part"
);
id_type!(
    /// A ticket id.
    TicketId,
    "ticket"
);
id_type!(
    /// A content data export job identifier.
    JobId,
    "export job"
);

/// `GET /me`: the admin that owns the token, and its app (workspace).
#[derive(Debug, Clone, Deserialize)]
pub struct Me {
    /// `admin`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The admin id.
    pub id: String,
    /// The admin's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The workspace.
    #[serde(default)]
    pub app: Option<App>,
}

/// The app (workspace) an admin belongs to.
#[derive(Debug, Clone, Deserialize)]
pub struct App {
    /// The workspace id.
    #[serde(default)]
    pub id_code: String,
    /// The workspace name.
    #[serde(default)]
    pub name: String,
    /// The region (`US`, `EU`, `AU`).
    #[serde(default)]
    pub region: Option<String>,
    /// The workspace timezone (used for day-based date search).
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Cursor pagination: `pages.next.starting_after`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CursorPages {
    /// Current page number.
    #[serde(default)]
    pub page: Option<u64>,
    /// Page size.
    #[serde(default)]
    pub per_page: Option<u64>,
    /// Total pages.
    #[serde(default)]
    pub total_pages: Option<u64>,
    /// The next cursor, absent on the last page.
    #[serde(default)]
    pub next: Option<NextCursor>,
}

/// `pages.next` of cursor pagination.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NextCursor {
    /// The cursor to send back.
    #[serde(default)]
    pub starting_after: Option<String>,
}

impl CursorPages {
    /// The cursor of the next page, if any.
    pub fn next_cursor(&self) -> Option<&str> {
        self.next.as_ref()?.starting_after.as_deref().filter(|c| !c.is_empty())
    }
}

/// Page-number pagination (`pages.page`, `pages.total_pages`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NumberedPages {
    /// Current page number (1-based).
    #[serde(default)]
    pub page: Option<u64>,
    /// Total pages.
    #[serde(default)]
    pub total_pages: Option<u64>,
}

/// A contact (user or lead). Holds personal data: never log it.
#[derive(Clone, Deserialize)]
pub struct Contact {
    /// The id.
    pub id: ContactId,
    /// `user` or `lead`.
    #[serde(default)]
    pub role: String,
    /// The external (your) user id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The email.
    #[serde(default)]
    pub email: Option<String>,
    /// The phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// Unix seconds.
    #[serde(default)]
    pub updated_at: Option<i64>,
    /// Custom attributes.
    #[serde(default)]
    pub custom_attributes: serde_json::Map<String, Value>,
    /// The full object as returned, for exports.
    #[serde(skip)]
    pub raw: Value,
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contact").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}

/// `contact_list`: contacts list and search results.
#[derive(Debug, Clone, Deserialize)]
pub struct ContactList {
    /// The contacts.
    #[serde(default)]
    pub data: Vec<Contact>,
    /// Total matches.
    #[serde(default)]
    pub total_count: Option<u64>,
    /// Pagination.
    #[serde(default)]
    pub pages: Option<CursorPages>,
}

/// The receipt of `DELETE /contacts/{id}` (`contact_deleted`).
#[derive(Debug, Clone, Deserialize)]
pub struct ContactDeleted {
    /// The contact id.
    pub id: ContactId,
    /// Always true on success.
    #[serde(default)]
    pub deleted: bool,
}

/// The receipt of `POST /contacts/{id}/archive` (`contact_archived`).
#[derive(Debug, Clone, Deserialize)]
pub struct ContactArchived {
    /// The contact id.
    pub id: ContactId,
    /// Always true on success.
    #[serde(default)]
    pub archived: bool,
}

/// A tag applied to a contact.
#[derive(Debug, Clone, Deserialize)]
pub struct Tag {
    /// The id.
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// When it was applied.
    #[serde(default)]
    pub applied_at: Option<i64>,
}

/// `{type: list, data: [...]}` lists without pagination.
#[derive(Debug, Clone, Deserialize)]
pub struct DataList<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// A segment a contact belongs to.
#[derive(Debug, Clone, Deserialize)]
pub struct Segment {
    /// The id.
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// `contact` or `user`.
    #[serde(default)]
    pub person_type: Option<String>,
}

/// A company attached to a contact.
#[derive(Debug, Clone, Deserialize)]
pub struct Company {
    /// The Intercom id.
    pub id: String,
    /// Your company id.
    #[serde(default)]
    pub company_id: Option<String>,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `contact_attached_companies`: the schema says `companies`, the example `data`; both are accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct CompanyList {
    /// The companies.
    #[serde(default, alias = "data")]
    pub companies: Vec<Company>,
    /// Total.
    #[serde(default)]
    pub total_count: Option<u64>,
    /// Page numbers.
    #[serde(default)]
    pub pages: Option<NumberedPages>,
}

/// A note on a contact (HTML body; personal data).
#[derive(Clone, Deserialize)]
pub struct Note {
    /// The id.
    pub id: String,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// HTML body.
    #[serde(default)]
    pub body: Option<String>,
}

impl fmt::Debug for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Note").field("id", &self.id).finish_non_exhaustive()
    }
}

/// `note_list`.
#[derive(Debug, Clone, Deserialize)]
pub struct NoteList {
    /// The notes.
    #[serde(default)]
    pub data: Vec<Note>,
    /// Total.
    #[serde(default)]
    pub total_count: Option<u64>,
    /// Page numbers.
    #[serde(default)]
    pub pages: Option<NumberedPages>,
}

/// A subscription type the contact explicitly opted in to or out of.
#[derive(Debug, Clone, Deserialize)]
pub struct Subscription {
    /// The id.
    pub id: String,
    /// `live`, `draft`, `archived`.
    #[serde(default)]
    pub state: Option<String>,
    /// `opt_in` or `opt_out`.
    #[serde(default)]
    pub consent_type: Option<String>,
}

/// A conversation as listed by search (no parts).
#[derive(Debug, Clone, Deserialize)]
pub struct ConversationSummary {
    /// The id.
    pub id: ConversationId,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// `open`, `closed`, `snoozed`.
    #[serde(default)]
    pub state: Option<String>,
}

/// `conversation.list`.
#[derive(Debug, Clone, Deserialize)]
pub struct ConversationList {
    /// The conversations.
    #[serde(default)]
    pub conversations: Vec<ConversationSummary>,
    /// Total.
    #[serde(default)]
    pub total_count: Option<u64>,
    /// Pagination.
    #[serde(default)]
    pub pages: Option<CursorPages>,
}

/// The author of a part or source.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Author {
    /// `admin`, `user`, `lead`, `bot`, `team`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The id.
    #[serde(default)]
    pub id: Option<String>,
}

/// A conversation part (HTML body; personal data).
#[derive(Clone, Deserialize)]
pub struct ConversationPart {
    /// The id.
    pub id: PartId,
    /// e.g. `comment`.
    #[serde(default)]
    pub part_type: Option<String>,
    /// HTML body.
    #[serde(default)]
    pub body: Option<String>,
    /// The author.
    #[serde(default)]
    pub author: Author,
    /// Whether it was redacted.
    #[serde(default)]
    pub redacted: bool,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
}

impl fmt::Debug for ConversationPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConversationPart")
            .field("id", &self.id)
            .field("redacted", &self.redacted)
            .finish_non_exhaustive()
    }
}

/// The first message of a conversation.
#[derive(Clone, Default, Deserialize)]
pub struct ConversationSource {
    /// The source id.
    #[serde(default)]
    pub id: Option<String>,
    /// HTML body.
    #[serde(default)]
    pub body: Option<String>,
    /// The author.
    #[serde(default)]
    pub author: Author,
    /// Whether it was redacted.
    #[serde(default)]
    pub redacted: bool,
}

impl fmt::Debug for ConversationSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConversationSource").field("id", &self.id).finish_non_exhaustive()
    }
}

/// `conversation_part.list`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConversationParts {
    /// The parts returned (at most 500, the most recent).
    #[serde(default)]
    pub conversation_parts: Vec<ConversationPart>,
    /// The total number of parts.
    #[serde(default)]
    pub total_count: Option<u64>,
}

/// Conversation statistics (only the part count is used).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConversationStatistics {
    /// The total number of parts.
    #[serde(default)]
    pub count_conversation_parts: Option<u64>,
}

/// A conversation with its parts.
#[derive(Debug, Clone, Deserialize)]
pub struct Conversation {
    /// The id.
    pub id: ConversationId,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// The first message.
    #[serde(default)]
    pub source: ConversationSource,
    /// The parts.
    #[serde(default)]
    pub conversation_parts: ConversationParts,
    /// Statistics.
    #[serde(default)]
    pub statistics: Option<ConversationStatistics>,
    /// The full object as returned, for exports.
    #[serde(skip)]
    pub raw: Value,
}

/// The hard cap on parts returned by `GET /conversations/{id}`.
pub const MAX_RETURNED_PARTS: usize = 500;

impl Conversation {
    /// True when the API returned fewer parts than the conversation has (it returns the 500 most recent).
    pub fn parts_truncated(&self) -> bool {
        let returned = self.conversation_parts.conversation_parts.len() as u64;
        let total = self
            .conversation_parts
            .total_count
            .into_iter()
            .chain(self.statistics.as_ref().and_then(|s| s.count_conversation_parts))
            .max()
            .unwrap_or(returned);
        total > returned || returned >= MAX_RETURNED_PARTS as u64 && total > MAX_RETURNED_PARTS as u64
    }
}

/// The receipt of `DELETE /conversations/{id}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ConversationDeleted {
    /// The id.
    pub id: ConversationId,
    /// Always true on success.
    #[serde(default)]
    pub deleted: bool,
}

/// What to redact: a part or a conversation's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedactTarget {
    /// A conversation part.
    Part(PartId),
    /// The source (first message); it must be contact-authored.
    Source(String),
}

/// A ticket (parts contain personal data).
#[derive(Debug, Clone, Deserialize)]
pub struct Ticket {
    /// The id.
    pub id: TicketId,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// The full object, for exports.
    #[serde(skip)]
    pub raw: Value,
}

/// `ticket.list`.
#[derive(Debug, Clone, Deserialize)]
pub struct TicketList {
    /// The tickets.
    #[serde(default)]
    pub tickets: Vec<Ticket>,
    /// Total.
    #[serde(default)]
    pub total_count: Option<u64>,
    /// Pagination.
    #[serde(default)]
    pub pages: Option<CursorPages>,
}

/// A data event (less than 90 days old).
#[derive(Debug, Clone, Deserialize)]
pub struct DataEvent {
    /// The event name.
    pub event_name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The Intercom contact id.
    #[serde(default)]
    pub intercom_user_id: Option<String>,
    /// Metadata.
    #[serde(default)]
    pub metadata: serde_json::Map<String, Value>,
}

/// `event.list`: `pages.next` is a full URL.
#[derive(Debug, Clone, Deserialize)]
pub struct DataEventList {
    /// The events.
    #[serde(default)]
    pub events: Vec<DataEvent>,
    /// Pagination.
    #[serde(default)]
    pub pages: Option<EventPages>,
}

/// Events pagination.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventPages {
    /// The URL of the next page.
    #[serde(default)]
    pub next: Option<String>,
}

/// One line of `event.summary`.
#[derive(Debug, Clone, Deserialize)]
pub struct EventSummaryItem {
    /// The event name.
    pub name: String,
    /// ISO-8601 first occurrence.
    #[serde(default)]
    pub first: Option<String>,
    /// ISO-8601 last occurrence.
    #[serde(default)]
    pub last: Option<String>,
    /// How many.
    #[serde(default)]
    pub count: u64,
}

/// `event.summary`.
#[derive(Debug, Clone, Deserialize)]
pub struct DataEventSummary {
    /// Per event name.
    #[serde(default)]
    pub events: Vec<EventSummaryItem>,
}

/// Which user a data-event query is about.
#[derive(Clone, PartialEq, Eq)]
pub enum EventUser {
    /// Your user id.
    UserId(String),
    /// The email.
    Email(String),
    /// The Intercom contact id (also works for leads).
    IntercomUserId(ContactId),
}

impl fmt::Debug for EventUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UserId(_) => f.write_str("UserId(****)"),
            Self::Email(_) => f.write_str("Email(****)"),
            Self::IntercomUserId(id) => write!(f, "IntercomUserId({id})"),
        }
    }
}

/// A content data export job (`data_export`).
#[derive(Debug, Clone, Deserialize)]
pub struct DataExport {
    /// The job id.
    pub job_identifier: JobId,
    /// The status.
    pub status: ExportStatus,
    /// Where to download when completed.
    #[serde(default)]
    pub download_url: Option<String>,
    /// When the download expires.
    #[serde(default)]
    pub download_expires_at: Option<String>,
}

/// The status of an export job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    /// Queued.
    Pending,
    /// Running.
    InProgress,
    /// Failed.
    Failed,
    /// Ready to download.
    Completed,
    /// Finished with nothing to export.
    NoData,
    /// Canceled.
    Canceled,
    /// A status this client does not know.
    #[serde(other)]
    Unknown,
}

impl ExportStatus {
    /// True for pending and in-progress jobs.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Pending | Self::InProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_tolerated_and_companies_accept_both_keys() {
        let c: Contact = serde_json::from_str(r#"{"id":"a1","role":"user","brand_new":{"x":1}}"#).unwrap();
        assert_eq!(c.id.as_str(), "a1");
        let l: CompanyList = serde_json::from_str(r#"{"type":"list","data":[{"id":"c1"}]}"#).unwrap();
        assert_eq!(l.companies.len(), 1);
        let s: ExportStatus = serde_json::from_str(r#""something_new""#).unwrap();
        assert_eq!(s, ExportStatus::Unknown);
        assert!(ContactId::parse("../etc").is_err());
    }

    #[test]
    fn truncation_is_detected() {
        let parts: Vec<Value> =
            (0..500).map(|i| serde_json::json!({"id": format!("p{i}"), "type": "conversation_part"})).collect();
        let conv: Conversation = serde_json::from_value(serde_json::json!({
            "id": "1", "conversation_parts": {"conversation_parts": parts, "total_count": 512}
        }))
        .unwrap();
        assert!(conv.parts_truncated());
        let conv: Conversation = serde_json::from_value(
            serde_json::json!({"id": "2", "conversation_parts": {"conversation_parts": [], "total_count": 0}}),
        )
        .unwrap();
        assert!(!conv.parts_truncated());
    }
}
