//! The Intercom client against the simulator: every operation, every pagination style, errors, pacing, faults.

use std::collections::HashSet;
use std::io::Read;
use std::time::Duration;

use steward::intercom::models::{
    ContactId, ConversationId, EventUser, ExportStatus, JobId, PartId, RedactTarget, TicketId,
};
use steward::intercom::{
    AccessToken, BaseUrl, Client, ClientConfig, ErrorClass, IntercomError, Op, Pages, Query, SearchRequest,
};
use steward::sim::{self, FaultSpec, SimConfig, SimHandle};

const EPOCH: u64 = 1_780_000_000;

async fn start(config: SimConfig) -> SimHandle {
    println!("simulator seed={} faults={:?}", config.seed, config.faults);
    let (_, handle) = sim::spawn(config).await.expect("simulator starts on loopback");
    handle
}

fn base_config(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        contacts: 120,
        epoch: Some(EPOCH),
        export_delay: Duration::from_millis(400),
        ..SimConfig::default()
    }
}

fn client_for(handle: &SimHandle, token: &str) -> Client {
    let mut config =
        ClientConfig::new(AccessToken::parse(token).unwrap()).with_base_url(BaseUrl::parse(&handle.url()).unwrap());
    config.timeout = Duration::from_secs(5);
    config.backoff_base = Duration::from_millis(5);
    Client::new(config).unwrap()
}

#[tokio::test]
async fn me_and_contact_operations() {
    let handle = start(base_config(11)).await;
    let client = client_for(&handle, "sim-token");
    let ws = handle.state.workspace();

    let me = client.me().await.unwrap();
    assert_eq!(me.app.unwrap().id_code, "stewardsim");

    // List: every listed contact exactly once across cursor pages.
    let mut pager = client.list_contacts(Some(7));
    let mut seen = HashSet::new();
    let mut pages = 0;
    while let Some(page) = pager.next_page().await.unwrap() {
        pages += 1;
        for c in page {
            assert!(seen.insert(c.id.as_str().to_owned()), "duplicate {}", c.id);
        }
        assert!(pages < 100);
    }
    assert_eq!(seen.len(), ws.contacts.len());
    assert!(pages > 10);

    // Search by a shared email finds several contacts; the cursor travels in the body.
    let shared = ws.contact_order[6].clone();
    let email = ws.contacts[&shared]["email"].as_str().unwrap().to_owned();
    let found = client
        .search_contacts(SearchRequest::new(Query::eq("email", email.as_str())).per_page(1))
        .unwrap()
        .collect_all(10)
        .await
        .unwrap();
    assert!(found.len() >= 2, "several contacts share {email}");
    let distinct: HashSet<&str> = found.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(distinct.len(), found.len(), "the body cursor moves forward (a query-string cursor repeats page 1)");
    let expected = ws.contacts.values().filter(|c| c["email"] == email.as_str()).count();
    assert_eq!(found.len(), expected);
    assert!(found.iter().all(|c| c.email.as_deref() == Some(email.as_str())));

    // Nested AND/OR and `~`.
    let nested = Query::and([
        Query::filter("email", Op::Contains, "example"),
        Query::or([Query::eq("role", "lead"), Query::eq("role", "user")]),
    ]);
    let all = client.search_contacts(SearchRequest::new(nested).per_page(150)).unwrap().collect_all(5).await.unwrap();
    assert_eq!(all.len(), ws.contacts.len());

    // Over the documented limits: refused before sending.
    let too_wide = Query::or((0..16).map(|i| Query::eq("external_id", i.to_string())));
    assert!(matches!(client.search_contacts(SearchRequest::new(too_wide)), Err(IntercomError::InvalidRequest { .. })));

    // Sub-resources, including page-number pagination of notes.
    let with_notes = ws.contact_order.iter().find(|id| ws.notes.get(*id).is_some_and(|n| n.len() == 7)).unwrap();
    let id = ContactId::parse(with_notes).unwrap();
    let contact = client.retrieve_contact(&id).await.unwrap();
    assert_eq!(contact.id, id);
    assert_eq!(contact.raw["notes"]["total_count"], 7);
    let notes = client.contact_notes(&id, Some(2)).collect_all(10).await.unwrap();
    assert_eq!(notes.len(), 7);
    assert_eq!(client.contact_tags(&id).await.unwrap().len(), ws.contact_tags[with_notes.as_str()].len());
    assert_eq!(client.contact_segments(&id).await.unwrap().len(), 1);
    let companies = client.contact_companies(&id, None).collect_all(5).await.unwrap();
    assert_eq!(companies.len(), ws.contact_companies[with_notes.as_str()].len());
    let subscriptions = client.contact_subscriptions(&id).await.unwrap();
    assert_eq!(subscriptions.len(), ws.subscriptions[with_notes.as_str()].len());

    // Archive is a soft delete: the contact leaves the list but still exists.
    let receipt = client.archive_contact(&id).await.unwrap();
    assert!(receipt.archived);
    assert!(client.retrieve_contact(&id).await.is_ok());
}

#[tokio::test]
async fn errors_are_typed() {
    let handle = start(base_config(12)).await;
    let client = client_for(&handle, "sim-token");
    let ws = handle.state.workspace();

    let missing = ContactId::parse("ffffffffffffffffffffffff").unwrap();
    let err = client.retrieve_contact(&missing).await.unwrap_err();
    assert!(matches!(err, IntercomError::NotFound { .. }), "{err}");
    assert_eq!(err.class(), ErrorClass::Permanent);

    let (merged, canonical) = ws.merged.iter().next().expect("the seed merges some leads");
    let err = client.retrieve_contact(&ContactId::parse(merged).unwrap()).await.unwrap_err();
    match err {
        IntercomError::Gone { canonical_id, .. } => {
            assert_eq!(canonical_id.as_deref(), Some(canonical.as_str()))
        }
        other => panic!("expected 410, got {other}"),
    }

    let bad = client_for(&handle, "not-the-token");
    let err = bad.me().await.unwrap_err();
    assert!(matches!(err, IntercomError::Unauthorized { .. }));
    assert!(!err.to_string().contains("not-the-token"));
    assert!(!format!("{err:?}").contains("not-the-token"));
}

#[tokio::test]
async fn conversations_tickets_and_delete() {
    let handle = start(base_config(13)).await;
    let client = client_for(&handle, "sim-token");
    let ws = handle.state.workspace();

    // A conversation over the 500-part cap.
    let (long_id, long) = ws.conversations.iter().find(|(_, c)| c.parts.len() > 500).expect("a long conversation");
    let conversation =
        client.retrieve_conversation(&ConversationId::parse(&long_id.to_string()).unwrap()).await.unwrap();
    assert_eq!(conversation.conversation_parts.conversation_parts.len(), 500);
    assert!(conversation.parts_truncated());
    let contact = long.contact_ids[0].clone();

    // Search by contact_ids with a small page size: every conversation of the contact.
    let query = SearchRequest::new(Query::eq("contact_ids", contact.as_str())).per_page(1);
    let found = client.search_conversations(query).unwrap().collect_all(20).await.unwrap();
    let expected = ws.conversations.values().filter(|c| c.contact_ids.contains(&contact)).count();
    assert_eq!(found.len(), expected);

    // Redaction replaces the body as Intercom does; a part with no body is refused.
    let short_id = found.iter().find(|c| c.id.as_str() != long_id.to_string()).map(|c| c.id.clone());
    let target_id = short_id.unwrap_or_else(|| ConversationId::parse(&long_id.to_string()).unwrap());
    let full = client.retrieve_conversation(&target_id).await.unwrap();
    assert!(!full.parts_truncated() || full.id.as_str() == long_id.to_string());
    let part = full.conversation_parts.conversation_parts.iter().find(|p| p.body.is_some()).unwrap();
    let redacted = client.redact(&target_id, &RedactTarget::Part(part.id.clone())).await.unwrap();
    let after = redacted.conversation_parts.conversation_parts.iter().find(|p| p.id == part.id).unwrap();
    assert!(after.redacted);
    assert_eq!(after.body.as_deref(), Some("<p><i>This message was deleted</i></p>"));
    let source_id = full.source.id.clone().unwrap();
    let redacted = client.redact(&target_id, &RedactTarget::Source(source_id)).await.unwrap();
    assert!(redacted.source.redacted);
    let empty_part = long.parts.iter().find(|p| p["body"].is_null()).unwrap()["id"].as_str().unwrap().to_owned();
    let long_conversation = ConversationId::parse(&long_id.to_string()).unwrap();
    let err =
        client.redact(&long_conversation, &RedactTarget::Part(PartId::parse(&empty_part).unwrap())).await.unwrap_err();
    match err {
        IntercomError::Validation { errors, .. } => {
            assert_eq!(errors.errors[0].code, "conversation_part_not_redactable")
        }
        other => panic!("expected a validation error, got {other}"),
    }

    // Tickets.
    let (ticket_id, (_, ticket_contacts)) = ws.tickets.iter().next().unwrap();
    let tickets = client
        .search_tickets(SearchRequest::new(Query::eq("contact_ids", ticket_contacts[0].as_str())))
        .unwrap()
        .collect_all(5)
        .await
        .unwrap();
    assert!(tickets.iter().any(|t| t.id.as_str() == ticket_id.to_string()));
    let ticket = client.retrieve_ticket(&TicketId::parse(&ticket_id.to_string()).unwrap()).await.unwrap();
    assert!(ticket.raw["ticket_parts"]["ticket_parts"].is_array());

    // Delete a conversation, then a contact: both really gone.
    let receipt = client.delete_conversation(&target_id, false).await.unwrap();
    assert!(receipt.deleted);
    assert!(matches!(client.retrieve_conversation(&target_id).await, Err(IntercomError::NotFound { .. })));
    let contact_id = ContactId::parse(&contact).unwrap();
    assert!(client.delete_contact(&contact_id).await.unwrap().deleted);
    assert!(matches!(client.retrieve_contact(&contact_id).await, Err(IntercomError::NotFound { .. })));
    let left = client
        .search_conversations(SearchRequest::new(Query::eq("contact_ids", contact.as_str())))
        .unwrap()
        .collect_all(5)
        .await
        .unwrap();
    assert!(left.is_empty(), "deleting a contact removes its conversations");
    let ledger = handle.state.ledger();
    assert!(ledger
        .iter()
        .any(|e| e["method"] == "DELETE" && e["path"] == format!("/contacts/{contact}") && e["status"] == 200));
}

#[tokio::test]
async fn events_follow_pages_next_and_hide_old_ones() {
    let handle = start(base_config(14)).await;
    let client = client_for(&handle, "sim-token");
    let ws = handle.state.workspace();
    let contact = ws
        .contact_order
        .iter()
        .find(|id| ws.events.iter().filter(|e| &e.contact_id == *id).count() >= 5)
        .expect("a contact with several events")
        .clone();
    let all: Vec<_> = ws.events.iter().filter(|e| e.contact_id == contact).collect();
    let recent = all.iter().filter(|e| e.created_at + 90 * 86_400 > EPOCH).count();
    let user = EventUser::IntercomUserId(ContactId::parse(&contact).unwrap());
    let listed = client.list_events(&user, Some(2)).collect_all(50).await.unwrap();
    assert_eq!(listed.len(), recent);
    assert!(listed.iter().all(|e| (e.created_at as u64) + 90 * 86_400 > EPOCH));
    let summary = client.event_summary(&user).await.unwrap();
    assert_eq!(summary.events.iter().map(|e| e.count as usize).sum::<usize>(), all.len());
    let email = ws.contacts[&contact]["email"].as_str().unwrap().to_owned();
    let by_email = client.list_events(&EventUser::Email(email), None).collect_all(50).await.unwrap();
    assert!(by_email.len() >= recent);
}

#[tokio::test]
async fn export_jobs_run_one_at_a_time_and_download_gzipped_csv() {
    let handle = start(base_config(15)).await;
    let client = client_for(&handle, "sim-token");
    let job = client.create_export((EPOCH - 200 * 86_400) as i64, EPOCH as i64).await.unwrap();
    assert_eq!(job.status, ExportStatus::Pending);
    let second = client.create_export(0, 1).await.unwrap_err();
    assert!(matches!(second, IntercomError::RateLimited { .. }), "{second}");
    let mut status = job.status;
    for _ in 0..50 {
        status = client.export_status(&job.job_identifier).await.unwrap().status;
        if !status.is_active() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, ExportStatus::Completed);
    let gz = client.download_export(&job.job_identifier).await.unwrap().read_all().await.unwrap();
    let mut csv = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut csv).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("user_id,user_external_id,company_id,email,name,ruleset_id"));
    assert!(lines.count() > 10);

    // A new job is allowed once the first finished; cancel moves it to canceled.
    let next = client.create_export((EPOCH - 86_400) as i64, EPOCH as i64).await.unwrap();
    let canceled = client.cancel_export(&next.job_identifier).await.unwrap();
    assert_eq!(canceled.status, ExportStatus::Canceled);
    let unknown = client.export_status(&JobId::parse("nope").unwrap()).await.unwrap_err();
    assert!(matches!(unknown, IntercomError::NotFound { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_burst_is_paced_without_failures() {
    // 600/min over 1-second windows: 10 requests per window.
    let config = SimConfig { rate_limit_per_min: 600, rate_window_secs: 1, ..base_config(16) };
    let handle = start(config).await;
    let client = client_for(&handle, "sim-token");
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.me().await.map(|_| ()) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("no call fails under pacing");
    }
    let counters = handle.state.counters();
    println!("burst: {counters:?}");
    assert!(counters.handled >= 40);
    assert!(counters.rate_limited <= 5, "pacing keeps 429s rare: {counters:?}");
}

#[tokio::test]
async fn reads_are_retried_through_500s_and_dropped_connections() {
    let faults = FaultSpec::parse("500=0.25,drop=0.15,429=0.05").unwrap();
    let handle = start(SimConfig { faults, rate_window_secs: 1, ..base_config(17) }).await;
    let client = client_for(&handle, "sim-token");
    let ws = handle.state.workspace();
    for id in ws.contact_order.iter().filter(|id| ws.contacts.contains_key(*id)).take(30) {
        let contact = client.retrieve_contact(&ContactId::parse(id).unwrap()).await.expect("retried to success");
        assert_eq!(contact.id.as_str(), id);
    }
    let counters = handle.state.counters();
    println!("faults: {counters:?}");
    assert!(counters.faults >= 5, "faults were injected: {counters:?}");
}

#[tokio::test]
async fn a_lost_response_to_a_delete_is_an_ambiguous_outcome() {
    let faults = FaultSpec::parse("drop-after-apply=1").unwrap();
    let handle = start(SimConfig { faults, ..base_config(18) }).await;
    let client = client_for(&handle, "sim-token");
    let id = handle.state.workspace().contact_order[0].clone();
    let err = client.delete_contact(&ContactId::parse(&id).unwrap()).await.unwrap_err();
    assert!(matches!(err, IntercomError::AmbiguousOutcome { .. }), "{err}");
    assert_eq!(err.class(), ErrorClass::Ambiguous);
    let ledger = handle.state.ledger();
    assert_eq!(ledger.len(), 1, "a mutating request is never retried blindly");
    assert_eq!(ledger[0]["status"], 200);
    assert_eq!(ledger[0]["fault"], "drop-after-apply");
    assert!(!handle.state.workspace().contacts.contains_key(&id), "the delete was applied");
}

#[tokio::test]
async fn a_dropped_delete_is_ambiguous_and_not_applied() {
    let faults = FaultSpec::parse("drop=1").unwrap();
    let handle = start(SimConfig { faults, ..base_config(19) }).await;
    let client = client_for(&handle, "sim-token");
    let id = handle.state.workspace().contact_order[0].clone();
    let err = client.delete_contact(&ContactId::parse(&id).unwrap()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Ambiguous);
    assert!(handle.state.workspace().contacts.contains_key(&id), "the caller must check: here it was not applied");
}

#[tokio::test]
async fn slow_responses_time_out() {
    let faults = FaultSpec::parse("slow=1").unwrap();
    let config = SimConfig { faults, slow_delay: Duration::from_secs(3), ..base_config(20) };
    let handle = start(config).await;
    let mut client_config = ClientConfig::new(AccessToken::parse("sim-token").unwrap())
        .with_base_url(BaseUrl::parse(&handle.url()).unwrap());
    client_config.timeout = Duration::from_millis(300);
    client_config.max_retries = 1;
    let client = Client::new(client_config).unwrap();
    let err = client.me().await.unwrap_err();
    assert!(matches!(err, IntercomError::Transport { .. }), "{err}");
    let id = ContactId::parse(&handle.state.workspace().contact_order[1]).unwrap();
    let err = client.archive_contact(&id).await.unwrap_err();
    assert!(matches!(err, IntercomError::AmbiguousOutcome { .. }), "{err}");
}

#[tokio::test]
async fn reset_reseeds_and_ledger_needs_the_token() {
    let handle = start(base_config(21)).await;
    let client = client_for(&handle, "sim-token");
    let id = ContactId::parse(&handle.state.workspace().contact_order[0]).unwrap();
    client.delete_contact(&id).await.unwrap();
    assert_eq!(handle.state.ledger().len(), 1);
    let http = reqwest_free_post(&handle.url(), "/_sim/reset", "sim-token").await;
    assert!(http.starts_with("HTTP/1.1 200"), "{http}");
    assert!(handle.state.ledger().is_empty());
    assert!(client.retrieve_contact(&id).await.is_ok(), "the seeded contact is back");
    client.delete_contact(&id).await.unwrap();
    let ledger = raw_request(&handle.url(), "GET", "/_sim/ledger", "sim-token").await;
    let body = ledger.split("\r\n\r\n").nth(1).unwrap_or("");
    let entries: serde_json::Value = serde_json::from_str(body).expect("the ledger is a JSON array");
    assert_eq!(entries.as_array().map(Vec::len), Some(1));
    assert_eq!(entries[0]["method"], "DELETE");
    assert_eq!(entries[0]["status"], 200);
    assert!(entries[0]["at"].is_u64() && entries[0]["path"].as_str().is_some_and(|p| p.starts_with("/contacts/")));
    let denied = reqwest_free_post(&handle.url(), "/_sim/reset", "wrong").await;
    assert!(denied.starts_with("HTTP/1.1 401"), "{denied}");
}

async fn reqwest_free_post(base: &str, path: &str, token: &str) -> String {
    raw_request(base, "POST", path, token).await
}

async fn raw_request(base: &str, method: &str, path: &str, token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn doctor_reports_the_workspace_and_fails_precisely() {
    let handle = start(base_config(22)).await;
    let client = client_for(&handle, "sim-token");
    let report = steward::intercom::doctor(&client).await.unwrap();
    assert_eq!(report.workspace_id, "stewardsim");
    assert_eq!(report.api_version, "2.16");
    assert_eq!(report.rate_limit, Some(10_000));
    assert!(report.rate_remaining.is_some_and(|r| r > 1000));
    let text = report.to_string();
    assert!(text.contains("Steward Simulated Workspace") && !text.contains("sim-token"));

    let err = steward::intercom::doctor(&client_for(&handle, "wrong")).await.unwrap_err();
    assert!(err.to_string().contains("check STEWARD_INTERCOM_TOKEN"), "{err}");

    let section = steward::intercom::doctor::section_from_toml("[intercom]\nregion = \"eu\"\nrate_limit_share = 0.5\n")
        .unwrap()
        .unwrap();
    let config = ClientConfig::from_section_and_env(Some(&section), |k| {
        (k == "STEWARD_INTERCOM_TOKEN").then(|| "t0k".to_owned())
    })
    .unwrap();
    assert_eq!(config.effective_base_url(), "https://api.eu.intercom.io");
    assert_eq!(config.rate_limit_share, 0.5);
    assert!(
        steward::intercom::doctor::section_from_toml("[intercom]\nregoin = \"eu\"\n").is_err(),
        "typos are rejected"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_leaves_the_rest_of_the_budget_to_other_integrations() {
    // 1200/min over 1-second windows: 20 per window; with a share of 0.5 the client spends about 10.
    let config = SimConfig { rate_limit_per_min: 1200, rate_window_secs: 1, ..base_config(23) };
    let handle = start(config).await;
    let mut client_config = ClientConfig::new(AccessToken::parse("sim-token").unwrap())
        .with_base_url(BaseUrl::parse(&handle.url()).unwrap());
    client_config.rate_limit_share = 0.5;
    let client = Client::new(client_config).unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    client.me().await?;
                }
                Ok::<(), IntercomError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("paced calls succeed");
    }
    let counters = handle.state.counters();
    println!("share: {counters:?}");
    assert_eq!(counters.rate_limited, 0);
    // The first window can see the probe plus the half budget before the first response arrives.
    assert!(counters.max_window_used <= 12, "at most about half of 20 per window: {counters:?}");
}

#[tokio::test]
async fn an_unknown_api_version_is_rejected() {
    let handle = start(base_config(24)).await;
    let mut config = ClientConfig::new(AccessToken::parse("sim-token").unwrap())
        .with_base_url(BaseUrl::parse(&handle.url()).unwrap());
    config.api_version = "9.99".to_owned();
    let err = Client::new(config).unwrap().me().await.unwrap_err();
    match err {
        IntercomError::Validation { errors, .. } => {
            assert_eq!(errors.errors[0].code, "intercom_version_invalid")
        }
        other => panic!("expected a validation error, got {other}"),
    }
}

#[tokio::test]
async fn demo_wiring_gets_a_ready_client_config() {
    let (handle, config) = sim::spawn_with_client_config(base_config(25)).await.unwrap();
    assert_eq!(config.effective_base_url(), handle.url());
    let me = Client::new(config).unwrap().me().await.unwrap();
    assert_eq!(me.id, "991267");
}
