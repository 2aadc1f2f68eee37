//! The ledger and audit endpoints over real HTTP on the admin listener: each with and without the right scope.

use std::net::SocketAddr;
use std::sync::Arc;

use steward::admin::auth::{Scope, TokenSet};
use steward::admin::{self, AdminState};
use steward::proxy::filter::FilterHandle;
use steward::proxy::metrics::Metrics;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

const READ: &str = "read-token-aaaaaaaaaaaa";
const OPERATE: &str = "operate-token-bbbbbbbbbb";

async fn http(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    let status = out.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn ledger_and_audit_endpoints_enforce_scopes_over_http() {
    let dir = tempfile::tempdir().unwrap();
    steward::keys::init(dir.path()).unwrap();
    let ctx = admin::compliance::open_ledger(dir.path()).unwrap();
    let mut tokens = TokenSet::default();
    tokens.add("reader", Scope::Read, READ.as_bytes()).unwrap();
    tokens.add("operator", Scope::Operate, OPERATE.as_bytes()).unwrap();
    let loader = steward::proxy::engine::EngineLoader::default();
    let filter = Arc::new(FilterHandle::load(Box::new(loader)).unwrap());
    let state = Arc::new(AdminState {
        metrics: Arc::new(Metrics::default()),
        filter,
        tokens,
        public_metrics: false,
        refresh: None,
    });
    let router = admin::router(state, admin::compliance::ledger_routes(ctx));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(admin::serve(listener, router, shutdown.clone()));

    let create = r#"{"kind":"access","regime":"gdpr","email":"Jane@Example.com","received_date":"2024-01-31"}"#;
    assert_eq!(http(addr, "POST", "/admin/v1/requests", None, create).await.0, 401);
    assert_eq!(http(addr, "POST", "/admin/v1/requests", Some(READ), create).await.0, 403);
    let (status, body) = http(addr, "POST", "/admin/v1/requests", Some(OPERATE), create).await;
    assert_eq!(status, 201, "{body}");
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["due_date"], "2024-02-29");
    assert!(!body.contains("Jane") && !body.to_lowercase().contains("jane@example.com"), "no raw identifier: {body}");
    let id = created["id"].to_string().trim_matches('"').to_string();

    assert_eq!(http(addr, "GET", "/admin/v1/requests", None, "").await.0, 401);
    let (status, body) = http(addr, "GET", "/admin/v1/requests?overdue=true", Some(READ), "").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(addr, "GET", &format!("/admin/v1/requests/{id}"), Some(READ), "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(http(addr, "GET", &format!("/admin/v1/requests/{id}"), None, "").await.0, 401);

    let extend = r#"{"reason":"complex request"}"#;
    assert_eq!(http(addr, "POST", &format!("/admin/v1/requests/{id}/extend"), Some(READ), extend).await.0, 403);
    let (status, body) = http(addr, "POST", &format!("/admin/v1/requests/{id}/extend"), Some(OPERATE), extend).await;
    assert!(status == 200 || status == 409 || status == 422, "an extension is answered: {status} {body}");

    let close = r#"{"outcome":"fulfilled","basis":"package sent"}"#;
    assert_eq!(http(addr, "POST", &format!("/admin/v1/requests/{id}/close"), None, close).await.0, 401);
    assert_eq!(http(addr, "POST", &format!("/admin/v1/requests/{id}/close"), Some(READ), close).await.0, 403);
    let (status, body) = http(addr, "POST", &format!("/admin/v1/requests/{id}/close"), Some(OPERATE), close).await;
    assert_eq!(status, 200, "{body}");

    assert_eq!(http(addr, "GET", "/admin/v1/audit/verify", None, "").await.0, 401);
    let (status, body) = http(addr, "GET", "/admin/v1/audit/verify", Some(READ), "").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"ok\":true"), "an untouched log verifies: {body}");
    assert_eq!(http(addr, "GET", "/admin/v1/audit/export", None, "").await.0, 401);
    let (status, body) = http(addr, "GET", "/admin/v1/audit/export", Some(READ), "").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("admin-api:operator"), "the audit log names the calling token: {body}");
    assert!(!body.to_lowercase().contains("jane"), "no raw personal data in the audit log");

    let (status, body) = http(addr, "POST", "/admin/v1/requests", Some(OPERATE), "{\"kind\":").await;
    assert_eq!(status, 400, "{body}");
    shutdown.cancel();
    server.await.unwrap();
}

#[tokio::test]
async fn the_proxy_expiry_task_removes_records_past_retention_and_audits_it() {
    use steward::calendar::CivilDate;
    use steward::compliance::api::{Clock, ComplianceCtx};
    use steward::compliance::requests::LedgerConfig;

    let dir = tempfile::tempdir().unwrap();
    steward::keys::init(dir.path()).unwrap();
    let opened = admin::compliance::open_ledger(dir.path()).unwrap();
    // A ledger whose clock says 2020: the request is received and closed then, so it is long past 24 months today.
    let past = Arc::new(ComplianceCtx {
        store: opened.store.clone(),
        keys: opened.keys.clone(),
        config: LedgerConfig::default(),
        clock: Clock::Fixed(CivilDate::from_ymd(2020, 3, 2).unwrap()),
    });
    let create = bytes::Bytes::from_static(
        br#"{"kind":"erasure","regime":"ccpa","email":"old@example.com","received_date":"2020-03-02"}"#,
    );
    let created =
        steward::compliance::api::handle(&past, &http::Method::POST, "/admin/v1/requests", None, create).await.unwrap();
    assert_eq!(created.status, http::StatusCode::CREATED);
    let id: serde_json::Value = serde_json::from_slice(&created.body).unwrap();
    let close = bytes::Bytes::from_static(br#"{"outcome":"fulfilled","basis":"deleted"}"#);
    let path = format!("/admin/v1/requests/{}/close", id["id"]);
    let closed = steward::compliance::api::handle(&past, &http::Method::POST, &path, None, close).await.unwrap();
    assert_eq!(closed.status, http::StatusCode::OK);

    let stop = CancellationToken::new();
    stop.cancel();
    // Runs once (at start), then sees the stop.
    admin::compliance::expire_records_periodically(opened.clone(), std::time::Duration::from_secs(3600), stop).await;
    let list =
        steward::compliance::api::handle(&opened, &http::Method::GET, "/admin/v1/requests", None, bytes::Bytes::new())
            .await
            .unwrap();
    let records: serde_json::Value = serde_json::from_slice(&list.body).unwrap();
    assert_eq!(records.as_array().map(Vec::len), Some(0), "the expired record is gone: {records}");
    let export = steward::compliance::api::handle(
        &opened,
        &http::Method::GET,
        "/admin/v1/audit/export",
        None,
        bytes::Bytes::new(),
    )
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&export.body);
    assert!(text.contains("request.expired"), "the expiry is audited: {text}");
    let verify = steward::compliance::api::handle(
        &opened,
        &http::Method::GET,
        "/admin/v1/audit/verify",
        None,
        bytes::Bytes::new(),
    )
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&verify.body).contains("\"ok\":true"));
}
