//! The simulator's in-memory workspace and its seeded, deterministic synthetic data (with realistic PII).

use std::collections::{BTreeMap, HashMap, HashSet};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Seconds in a day.
pub const DAY: u64 = 86_400;

/// The workspace id the simulator reports.
pub const WORKSPACE_ID: &str = "stewardsim";

/// The body Intercom puts in a redacted part.
pub const REDACTED_BODY: &str = "<p><i>This message was deleted</i></p>";

/// A conversation: its list-item JSON (no parts), its parts and its participants.
#[derive(Debug, Clone)]
pub struct SimConversation {
    /// The conversation JSON without `conversation_parts`.
    pub item: Value,
    /// Every part, oldest first.
    pub parts: Vec<Value>,
    /// Participant contact ids.
    pub contact_ids: Vec<String>,
}

/// A data event.
#[derive(Debug, Clone)]
pub struct SimEvent {
    /// The contact.
    pub contact_id: String,
    /// Unix seconds.
    pub created_at: u64,
    /// The event JSON.
    pub value: Value,
}

/// One row of outbound-content statistics for the export API.
#[derive(Debug, Clone)]
pub struct StatRow {
    /// When the message was received (Unix seconds).
    pub received_at: u64,
    /// The CSV fields, in `data_export_csv` column order.
    pub fields: Vec<String>,
}

/// The workspace: everything the simulator serves.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// "Now" at seeding time (Unix seconds).
    pub now: u64,
    /// The admin owning the token.
    pub admin: Value,
    /// Contacts by id.
    pub contacts: HashMap<String, Value>,
    /// Every contact id ever created, in list order (deleted ones are skipped when listing).
    pub contact_order: Vec<String>,
    /// Merged contact id -> canonical id.
    pub merged: HashMap<String, String>,
    /// Archived contact ids.
    pub archived: HashSet<String>,
    /// Contact id -> (tag index, applied_at).
    pub contact_tags: HashMap<String, Vec<(usize, u64)>>,
    /// Contact id -> segment indexes.
    pub contact_segments: HashMap<String, Vec<usize>>,
    /// Contact id -> company indexes.
    pub contact_companies: HashMap<String, Vec<usize>>,
    /// Contact id -> notes.
    pub notes: HashMap<String, Vec<Value>>,
    /// Contact id -> (subscription type index, consent).
    pub subscriptions: HashMap<String, Vec<(usize, &'static str)>>,
    /// All tags.
    pub tags: Vec<Value>,
    /// All segments.
    pub segments: Vec<Value>,
    /// All companies.
    pub companies: Vec<Value>,
    /// All subscription types.
    pub subscription_types: Vec<Value>,
    /// Conversations by id (ordered).
    pub conversations: BTreeMap<u64, SimConversation>,
    /// Tickets by id (ordered), with participant ids.
    pub tickets: BTreeMap<u64, (Value, Vec<String>)>,
    /// Data events, any age.
    pub events: Vec<SimEvent>,
    /// Outbound content statistics.
    pub stats: Vec<StatRow>,
}

const FIRST: &[&str] = &[
    "Alice", "Bruno", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ingrid", "Jamal", "Keiko", "Lars",
    "María", "Nadia", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara",
];
const LAST: &[&str] = &[
    "Martin", "Okafor", "Dubois", "Ivanova", "García", "Haddad", "Hopper", "Tanaka", "Larsen", "Smith", "Rossi",
    "Nguyen", "Müller", "Kowalski", "O'Brien", "Silva", "Andersen", "Khan", "Moreau", "Fischer",
];
const DOMAINS: &[&str] = &["example.com", "mail.example.org", "example.net", "corp.example.io"];
const STREETS: &[&str] = &[
    "12 Rue de Rivoli, 75001 Paris",
    "221B Baker Street, London NW1 6XE",
    "1600 Amphitheatre Parkway, Mountain View, CA 94043",
    "Unter den Linden 77, 10117 Berlin",
    "5 Chome-2-1 Ginza, Chuo City, Tokyo 104-0061",
];
const CARDS: &[&str] = &["4111 1111 1111 1111", "5500-0000-0000-0004", "3400 000000 00009", "4012888888881881"];
const CITIES: &[(&str, &str, &str)] = &[
    ("France", "Île-de-France", "Paris"),
    ("United Kingdom", "England", "London"),
    ("United States", "California", "San Francisco"),
    ("Germany", "Berlin", "Berlin"),
    ("Japan", "Tokyo", "Tokyo"),
];
const EVENT_NAMES: &[&str] = &["logged-in", "invited-teammate", "upgraded-plan", "exported-report", "viewed-pricing"];

fn hex_id(rng: &mut ChaCha8Rng) -> String {
    (0..12).map(|_| format!("{:02x}", rng.gen::<u8>())).collect()
}

fn admin_json(now: u64) -> Value {
    json!({
        "type": "admin", "id": "991267", "name": "Ada Admin", "email": "ada.admin@steward-sim.example",
        "job_title": "Support lead", "away_mode_enabled": false, "away_mode_reassign": false,
        "has_inbox_seat": true, "team_ids": [814865],
        "avatar": {"type": "avatar", "image_url": null}, "email_verified": true,
        "app": {"type": "app", "id_code": WORKSPACE_ID, "name": "Steward Simulated Workspace", "region": "US",
                "timezone": "UTC", "created_at": now - 900 * DAY, "identity_verification": false}
    })
}

/// The admin as embedded in notes (`admin` schema: `avatar` is a string there).
pub fn note_author() -> Value {
    json!({"type": "admin", "id": "991267", "name": "Ada Admin", "email": "ada.admin@steward-sim.example",
           "away_mode_enabled": false, "away_mode_reassign": false, "has_inbox_seat": true,
           "team_ids": [814865], "avatar": null})
}

fn pii_sentence(rng: &mut ChaCha8Rng, name: &str, email: &str, phone: &str) -> String {
    match rng.gen_range(0..6) {
        0 => {
            format!("<p>Hi, this is {name}. You can reach me at <a href=\"mailto:{email}\">{email}</a> or {phone}.</p>")
        }
        1 => format!(
            "<p>Please charge my card {} (exp 04/29), the billing address is {}.</p>",
            CARDS.choose(rng).copied().unwrap_or("4111 1111 1111 1111"),
            STREETS.choose(rng).copied().unwrap_or("")
        ),
        2 => format!(
            "<p>My colleague {} {} ({}) cannot log in either.</p>",
            FIRST.choose(rng).copied().unwrap_or(""),
            LAST.choose(rng).copied().unwrap_or(""),
            email.replace('@', "+team@")
        ),
        3 => format!("<p>Ship it to {}<br>Phone: {phone}</p>", STREETS.choose(rng).copied().unwrap_or("")),
        4 => "<p>Thanks, that fixed it!</p>".to_owned(),
        _ => format!("<p>Can you delete my account? My email is {email}.</p>"),
    }
}

impl Workspace {
    /// Generates a workspace: same seed, contacts and `now` give the same workspace.
    pub fn generate(seed: u64, contacts: usize, now: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut ws = Workspace { now, admin: admin_json(now), ..Default::default() };
        for (i, name) in ["vip", "churn-risk", "beta", "gdpr-request", "newsletter", "enterprise", "trial", "support"]
            .iter()
            .enumerate()
        {
            ws.tags.push(json!({"type": "tag", "id": (7_000 + i).to_string(), "name": name}));
        }
        for (i, name) in ["Active", "New", "Slipping away", "Paying", "Leads from web"].iter().enumerate() {
            ws.segments.push(json!({
                "type": "segment", "id": format!("5f{:022x}", i + 1), "name": name,
                "created_at": now - 400 * DAY, "updated_at": now - 10 * DAY,
                "person_type": if i == 4 { "contact" } else { "user" }, "count": null
            }));
        }
        for (i, name) in ["Acme Ltd", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries"].iter().enumerate() {
            ws.companies.push(json!({
                "type": "company", "id": format!("6a{:022x}", i + 1), "name": name, "app_id": WORKSPACE_ID,
                "company_id": format!("co-{}", 100 + i), "remote_created_at": now - 500 * DAY,
                "created_at": now - 500 * DAY, "updated_at": now - 5 * DAY, "last_request_at": now - DAY,
                "size": 10 * (i as i64 + 1), "website": format!("https://{}.example", name.to_lowercase().replace(' ', "")),
                "industry": "Software", "monthly_spend": 100 * (i as i64 + 1), "session_count": 20, "user_count": 5,
                "custom_attributes": {}, "plan": {"type": "plan", "id": "1", "name": "Pro"},
                "tags": {"type": "tag.list", "tags": []}, "segments": {"type": "segment.list", "segments": []}
            }));
        }
        for (i, name) in ["Product updates", "Newsletter", "SMS alerts"].iter().enumerate() {
            let translation = json!({"name": name, "description": format!("{name} from the team"), "locale": "en"});
            ws.subscription_types.push(json!({
                "type": "subscription", "id": (300 + i).to_string(), "state": "live",
                "consent_type": if i == 1 { "opt_in" } else { "opt_out" },
                "default_translation": translation, "translations": [translation],
                "content_types": [if i == 2 { "sms_message" } else { "email" }]
            }));
        }

        let mut next_conversation: u64 = 100_000;
        let mut next_part: u64 = 5_000_000;
        let mut next_ticket: u64 = 900;
        let mut previous_email: Option<String> = None;
        let mut user_ids: Vec<String> = Vec::new();
        for index in 0..contacts {
            let id = hex_id(&mut rng);
            let first = *FIRST.choose(&mut rng).unwrap_or(&"Alice");
            let last = *LAST.choose(&mut rng).unwrap_or(&"Martin");
            let name = format!("{first} {last}");
            let is_user = rng.gen_bool(0.7);
            // Every seventh contact reuses the previous email: several contacts share one address.
            let email = match (&previous_email, index % 7 == 6) {
                (Some(shared), true) => shared.clone(),
                _ => format!(
                    "{}.{}{}@{}",
                    first.to_lowercase().replace(['é', 'í'], "e"),
                    last.to_lowercase().replace(['ü', '\''], ""),
                    index,
                    DOMAINS.choose(&mut rng).unwrap_or(&"example.com")
                ),
            };
            previous_email = Some(email.clone());
            let phone = format!(
                "+33 6 {:02} {:02} {:02} {:02}",
                rng.gen_range(10..99),
                rng.gen_range(10..99),
                rng.gen_range(10..99),
                rng.gen_range(10..99)
            );
            let created_at = now - rng.gen_range(1..400) * DAY - rng.gen_range(0..DAY);
            let (country, region, city) = *CITIES.choose(&mut rng).unwrap_or(&("France", "", "Paris"));
            let external_id = if is_user { Value::from(format!("user-{}", 10_000 + index)) } else { Value::Null };
            let plan = ["free", "pro", "enterprise"][index % 3];
            let seats = (index % 9) as i64 + 1;
            let mut contact = json!({
                "type": "contact", "id": id, "workspace_id": WORKSPACE_ID, "external_id": external_id,
                "role": if is_user { "user" } else { "lead" }, "email": email,
                "email_domain": email.split('@').nth(1).unwrap_or(""), "phone": phone, "name": name,
                "owner_id": null, "has_hard_bounced": false, "marked_email_as_spam": false,
                "unsubscribed_from_emails": rng.gen_bool(0.1), "created_at": created_at,
                "updated_at": created_at + DAY, "signed_up_at": if is_user { Value::from(created_at) } else { Value::Null },
                "last_seen_at": now - rng.gen_range(0..30) * DAY,
                "browser": "chrome", "browser_version": "120.0.0", "browser_language": "en", "os": "Linux",
                "custom_attributes": {"plan": plan, "seats": seats},
                "avatar": null,
                "location": {"type": "location", "country": country, "region": region, "city": city,
                             "country_code": null, "continent_code": null},
                "social_profiles": {"type": "list", "data": []}
            });
            for field in [
                "last_replied_at",
                "last_contacted_at",
                "last_email_opened_at",
                "last_email_clicked_at",
                "language_override",
                "android_app_name",
                "android_app_version",
                "android_device",
                "android_os_version",
                "android_sdk_version",
                "android_last_seen_at",
                "ios_app_name",
                "ios_app_version",
                "ios_device",
                "ios_os_version",
                "ios_sdk_version",
                "ios_last_seen_at",
            ] {
                contact[field] = Value::Null;
            }
            ws.contacts.insert(id.clone(), contact);
            ws.contact_order.push(id.clone());

            let tag_count = rng.gen_range(0..4);
            let mut tag_indexes: Vec<usize> = (0..ws.tags.len()).collect();
            tag_indexes.shuffle(&mut rng);
            ws.contact_tags
                .insert(id.clone(), tag_indexes[..tag_count].iter().map(|&t| (t, created_at + DAY)).collect());
            ws.contact_segments.insert(id.clone(), if is_user { vec![index % 4] } else { vec![4] });
            ws.contact_companies
                .insert(id.clone(), if is_user { vec![index % ws.companies.len()] } else { Vec::new() });
            let note_count = if index % 11 == 0 { 7 } else { rng.gen_range(0..3) };
            let notes = (0..note_count)
                .map(|n| {
                    json!({"type": "note", "id": (20_000 + index * 10 + n).to_string(), "created_at": created_at + (n as u64 + 1) * 3600,
                           "contact": {"type": "contact", "id": id}, "author": note_author(),
                           "body": pii_sentence(&mut rng, &name, &email, &phone)})
                })
                .collect();
            ws.notes.insert(id.clone(), notes);
            let subs = match index % 3 {
                0 => vec![(1, "opt_in")],
                1 => vec![(0, "opt_out"), (2, "opt_out")],
                _ => Vec::new(),
            };
            ws.subscriptions.insert(id.clone(), subs);

            // Conversations; some exceed the 500-part cap.
            let conversation_count = if index % 5 == 4 { 0 } else { rng.gen_range(1..4) };
            for c in 0..conversation_count {
                next_conversation += 1;
                let long = index % 40 == 1 && c == 0;
                let part_count = if long { 520 + (index % 30) } else { rng.gen_range(1..8) };
                let started = created_at + rng.gen_range(0..DAY * 30);
                let mut parts = Vec::with_capacity(part_count);
                for p in 0..part_count {
                    next_part += 1;
                    let from_user = p % 2 == 1;
                    let at = started + (p as u64 + 1) * 60;
                    let (part_type, body) = if p % 13 == 12 {
                        ("open", Value::Null)
                    } else if from_user {
                        ("comment", Value::from(pii_sentence(&mut rng, &name, &email, &phone)))
                    } else {
                        (
                            "comment",
                            Value::from(format!(
                                "<p>Thanks {first}, I have updated your account. Ticket ref #{next_part}.</p>"
                            )),
                        )
                    };
                    let author = if from_user {
                        json!({"type": if is_user { "user" } else { "lead" }, "id": id, "name": name, "email": email, "from_ai_agent": false, "is_ai_answer": false})
                    } else {
                        json!({"type": "admin", "id": "991267", "name": "Ada Admin", "email": "ada.admin@steward-sim.example", "from_ai_agent": false, "is_ai_answer": false})
                    };
                    parts.push(json!({
                        "type": "conversation_part", "id": next_part.to_string(), "part_type": part_type, "body": body,
                        "created_at": at, "updated_at": at, "notified_at": at, "author": author,
                        "attachments": [], "external_id": null, "redacted": false, "tags": []
                    }));
                }
                let last_at = started + (part_count as u64 + 1) * 60;
                let item = json!({
                    "type": "conversation", "id": next_conversation.to_string(), "title": null,
                    "created_at": started, "updated_at": last_at, "waiting_since": null, "snoozed_until": null,
                    "open": c == 0, "state": if c == 0 { "open" } else { "closed" }, "read": true, "priority": "none",
                    "tags": {"type": "tag.list", "tags": []}, "conversation_rating": null,
                    "source": {
                        "type": "conversation", "id": format!("{}", 400_000_000 + next_conversation), "delivered_as": "customer_initiated",
                        "subject": "", "body": pii_sentence(&mut rng, &name, &email, &phone),
                        "author": {"type": if is_user { "user" } else { "lead" }, "id": id, "name": name, "email": email},
                        "attachments": [], "url": null, "redacted": false
                    },
                    "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": id, "external_id": ws.contacts[&id]["external_id"].clone()}]},
                    "teammates": {"type": "admin.list", "teammates": [{"type": "admin", "id": "991267"}]},
                    "custom_attributes": {}, "first_contact_reply": null, "sla_applied": null,
                    "statistics": {"type": "conversation_statistics", "count_conversation_parts": part_count as i64,
                                   "count_reopens": 0, "count_assignments": 1},
                    "linked_objects": {"type": "list", "total_count": 0, "has_more": false, "data": []},
                    "ai_agent_participated": false
                });
                ws.conversations
                    .insert(next_conversation, SimConversation { item, parts, contact_ids: vec![id.clone()] });
            }

            if index % 3 == 0 {
                next_ticket += 1;
                let at = created_at + 2 * DAY;
                let ticket = json!({
                    "type": "ticket", "id": next_ticket.to_string(), "ticket_id": (next_ticket - 800).to_string(),
                    "category": "Customer",
                    "ticket_attributes": {"_default_title_": "Cannot log in", "_default_description_": pii_sentence(&mut rng, &name, &email, &phone)},
                    "ticket_state": {"type": "ticket_state", "id": "1", "category": "submitted", "internal_label": "Submitted", "external_label": "Submitted"},
                    "ticket_type": {"type": "ticket_type", "id": "1", "category": "Customer", "name": "Bug report", "description": "A problem",
                                    "icon": "bug", "workspace_id": WORKSPACE_ID, "archived": false, "created_at": now - 800 * DAY, "updated_at": now - 800 * DAY},
                    "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": id, "external_id": ws.contacts[&id]["external_id"].clone()}]},
                    "created_at": at, "updated_at": at + 3600, "open": true,
                    "linked_objects": {"type": "list", "total_count": 0, "has_more": false, "data": []},
                    "ticket_parts": {"type": "ticket_part.list", "total_count": 1, "ticket_parts": [{
                        "type": "ticket_part", "id": (next_part + 1_000_000).to_string(), "part_type": "comment",
                        "body": pii_sentence(&mut rng, &name, &email, &phone), "created_at": at, "updated_at": at,
                        "author": {"type": "user", "id": id, "name": name, "email": email}, "attachments": [], "redacted": false
                    }]},
                    "is_shared": false
                });
                ws.tickets.insert(next_ticket, (ticket, vec![id.clone()]));
            }

            let event_count = if index % 4 == 3 { 0 } else { rng.gen_range(1..7) };
            for e in 0..event_count {
                // About a third of the events are older than 90 days: listing must hide them.
                let age = if e % 3 == 2 { rng.gen_range(91..200) } else { rng.gen_range(0..89) } * DAY
                    + rng.gen_range(0..DAY);
                let at = now - age;
                let mut event = json!({
                    "type": "event", "event_name": EVENT_NAMES[(index + e) % EVENT_NAMES.len()], "created_at": at,
                    "id": format!("ev{:x}{:04}", index, e), "intercom_user_id": id, "email": email,
                    "metadata": {"source": "web", "ip": format!("203.0.113.{}", (index % 250) + 1)}
                });
                if let Value::String(ext) = &ws.contacts[&id]["external_id"] {
                    event["user_id"] = Value::from(ext.clone());
                }
                ws.events.push(SimEvent { contact_id: id.clone(), created_at: at, value: event });
            }

            for s in 0..2u64 {
                let at = now - rng.gen_range(1..120) * DAY;
                let ext = ws.contacts[&id]["external_id"].as_str().unwrap_or("").to_owned();
                let company = ws.contact_companies[&id]
                    .first()
                    .map(|c| ws.companies[*c]["company_id"].as_str().unwrap_or("-1").to_owned())
                    .unwrap_or_else(|| "-1".to_owned());
                let fields = vec![
                    id.clone(),
                    ext,
                    company,
                    email.clone(),
                    name.clone(),
                    (3_000 + s).to_string(),
                    (8_000 + s).to_string(),
                    if s == 0 { "email".into() } else { "post".into() },
                    if s == 0 { "Welcome email".into() } else { "Release notes".into() },
                    (3_100 + s).to_string(),
                    format!("r{index}-{s}"),
                    at.to_string(),
                    "-1".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    (at + 600).to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ];
                ws.stats.push(StatRow { received_at: at, fields });
            }
            if is_user {
                user_ids.push(id);
            }
        }

        // Merge about one lead in twenty into a user: the lead then answers 410 with a Link to the user.
        let leads: Vec<String> =
            ws.contact_order.iter().filter(|id| ws.contacts[*id]["role"] == "lead").cloned().collect();
        for (n, lead) in leads.iter().enumerate() {
            if n % 20 == 3 && !user_ids.is_empty() {
                let into = user_ids[n % user_ids.len()].clone();
                ws.contacts.remove(lead);
                ws.merged.insert(lead.clone(), into);
            }
        }
        ws.events.sort_by_key(|e| std::cmp::Reverse(e.created_at));
        ws
    }

    /// Whether a contact can be listed and searched.
    pub fn is_listed(&self, id: &str) -> bool {
        self.contacts.contains_key(id) && !self.archived.contains(id)
    }

    /// The contact JSON with its embedded (truncated) tag, note and company lists.
    pub fn render_contact(&self, id: &str) -> Option<Value> {
        let mut contact = self.contacts.get(id)?.clone();
        let url = |what: &str| format!("/contacts/{id}/{what}");
        let tags: Vec<Value> = self
            .contact_tags
            .get(id)
            .into_iter()
            .flatten()
            .map(|(t, _)| {
                let tag_id = self.tags[*t]["id"].clone();
                json!({"type": "tag", "id": tag_id, "url": format!("/tags/{}", tag_id.as_str().unwrap_or(""))})
            })
            .collect();
        let notes: Vec<Value> = self.notes.get(id).into_iter().flatten().map(|n| {
            json!({"type": "note", "id": n["id"].clone(), "url": format!("/notes/{}", n["id"].as_str().unwrap_or(""))})
        }).collect();
        let companies: Vec<Value> = self.contact_companies.get(id).into_iter().flatten().map(|c| {
            let company_id = self.companies[*c]["id"].clone();
            json!({"type": "company", "id": company_id, "url": format!("/companies/{}", company_id.as_str().unwrap_or(""))})
        }).collect();
        let embed = |items: Vec<Value>, what: &str| {
            let total = items.len();
            json!({"type": "list", "data": items.into_iter().take(10).collect::<Vec<_>>(), "url": url(what),
                   "total_count": total, "has_more": total > 10})
        };
        contact["tags"] = embed(tags, "tags");
        contact["notes"] = embed(notes, "notes");
        contact["companies"] = embed(companies, "companies");
        Some(contact)
    }

    /// The document a contact search is evaluated on: the contact plus `tag_id`, `segment_id`, `formatted_phone`.
    pub fn contact_search_doc(&self, id: &str) -> Option<Value> {
        let mut doc = self.contacts.get(id)?.clone();
        doc["tag_id"] =
            self.contact_tags.get(id).into_iter().flatten().map(|(t, _)| self.tags[*t]["id"].clone()).collect();
        doc["segment_id"] =
            self.contact_segments.get(id).into_iter().flatten().map(|s| self.segments[*s]["id"].clone()).collect();
        doc["formatted_phone"] = doc["phone"].as_str().map(|p| p.replace(' ', "")).into();
        Some(doc)
    }

    /// Permanently deletes a contact with its conversations, tickets it alone is on, notes, tags and events.
    pub fn delete_contact(&mut self, id: &str) -> Option<Value> {
        let contact = self.contacts.remove(id)?;
        self.archived.remove(id);
        self.contact_tags.remove(id);
        self.contact_segments.remove(id);
        self.contact_companies.remove(id);
        self.notes.remove(id);
        self.subscriptions.remove(id);
        self.conversations.retain(|_, c| !c.contact_ids.iter().any(|c| c == id));
        self.tickets.retain(|_, (_, contacts)| !(contacts.len() == 1 && contacts[0] == id));
        self.events.retain(|e| e.contact_id != id);
        self.merged.retain(|_, into| into != id);
        Some(contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_workspaces_are_deterministic_and_cover_the_cases() {
        let now = 1_780_000_000;
        let a = Workspace::generate(9, 120, now);
        let b = Workspace::generate(9, 120, now);
        assert_eq!(a.contact_order, b.contact_order);
        assert_eq!(a.conversations.values().next().map(|c| &c.item), b.conversations.values().next().map(|c| &c.item));
        assert_ne!(Workspace::generate(10, 120, now).contact_order, a.contact_order);

        let mut emails: Vec<&str> = a.contacts.values().filter_map(|c| c["email"].as_str()).collect();
        emails.sort_unstable();
        assert!(emails.windows(2).any(|w| w[0] == w[1]), "some contacts share an email");
        assert!(!a.merged.is_empty(), "some contacts are merged");
        assert!(a.conversations.values().any(|c| c.parts.len() > 500), "some conversations exceed 500 parts");
        assert!(a.events.iter().any(|e| e.created_at + 90 * DAY < now), "some events are older than 90 days");
        assert!(a.contacts.values().any(|c| c["role"] == "lead") && a.contacts.values().any(|c| c["role"] == "user"));
        let html = a.conversations.values().flat_map(|c| c.parts.iter()).filter_map(|p| p["body"].as_str());
        assert!(html.clone().any(|b| b.contains('@')) && html.clone().any(|b| b.contains("4111")), "bodies carry PII");
    }
}
