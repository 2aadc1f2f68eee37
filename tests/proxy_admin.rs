//! Admin server tests: scoped bearer tokens (401/403/200), metrics content, rule reload (good and bad),
//! extra routes, and the HTTP glue.

mod common;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::*;
use http::{Method, StatusCode};
use steward::admin::auth::{Scope, TokenSet};
use steward::admin::{self, handler_fn, AdminRequest, AdminState, Route};
use steward::proxy::config::ForwardTarget;
use steward::proxy::filter::FilterHandle;
use steward::proxy::metrics::Metrics;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const READ: &str = "read-token-aaaaaaaaaaaa";
const OPERATE: &str = "operate-token-bbbbbbbbbb";
const ADMIN: &str = "admin-token-cccccccccccc";

fn tokens() -> TokenSet {
    let mut t = TokenSet::default();
    t.add("reader", Scope::Read, READ.as_bytes()).unwrap();
    t.add("operator", Scope::Operate, OPERATE.as_bytes()).unwrap();
    t.add("root", Scope::Admin, ADMIN.as_bytes()).unwrap();
    t
}

fn request(method: Method, path: &str, token: Option<&str>) -> AdminRequest {
    AdminRequest {
        method,
        path: path.to_string(),
        query: String::new(),
        authorization: token.map(|t| format!("Bearer {t}").into_bytes()),
        body: Bytes::new(),
    }
}

fn state(filter: Arc<FilterHandle>, public_metrics: bool) -> Arc<AdminState> {
    Arc::new(AdminState {
        metrics: Arc::new(Metrics::default()),
        filter,
        tokens: tokens(),
        public_metrics,
        refresh: None,
    })
}

#[tokio::test]
async fn each_endpoint_needs_its_scope() {
    let erase = Route::new(
        Method::POST,
        "/admin/v1/subjects/{id}/erase",
        Some(Scope::Admin),
        handler_fn(|_m, path, _q, _b| async move { (StatusCode::ACCEPTED, Bytes::from(path)) }),
    );
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let router = admin::router(state(tag_handle("T:"), false), vec![erase])
        .with_observer(Arc::new(move |c: &admin::CallRecord| seen.lock().unwrap().push(c.clone())));
    let cases: [(Method, &str, Option<&str>, StatusCode); 14] = [
        (Method::GET, "/healthz", None, StatusCode::OK),
        (Method::GET, "/metrics", None, StatusCode::UNAUTHORIZED),
        (Method::GET, "/metrics", Some(READ), StatusCode::OK),
        (Method::GET, "/admin/v1/rules", None, StatusCode::UNAUTHORIZED),
        (Method::GET, "/admin/v1/rules", Some("not-a-real-token-xxxxxxx"), StatusCode::UNAUTHORIZED),
        (Method::GET, "/admin/v1/rules", Some(READ), StatusCode::OK),
        (Method::POST, "/admin/v1/rules/reload", Some(READ), StatusCode::FORBIDDEN),
        (Method::POST, "/admin/v1/rules/reload", Some(OPERATE), StatusCode::UNPROCESSABLE_ENTITY),
        (Method::GET, "/admin/v1/rules/reload", Some(ADMIN), StatusCode::METHOD_NOT_ALLOWED),
        (Method::POST, "/admin/v1/subjects/42/erase", Some(OPERATE), StatusCode::FORBIDDEN),
        (Method::POST, "/admin/v1/subjects/42/erase", None, StatusCode::UNAUTHORIZED),
        (Method::POST, "/admin/v1/subjects/42/erase", Some(ADMIN), StatusCode::ACCEPTED),
        (Method::GET, "/admin/v1/nothing", Some(ADMIN), StatusCode::NOT_FOUND),
        (Method::GET, "/admin/v1/rules", Some(ADMIN), StatusCode::OK),
    ];
    for (method, path, token, expected) in cases {
        let response = router.handle(request(method.clone(), path, token)).await;
        assert_eq!(response.status, expected, "{method} {path} with {token:?}");
    }
    let response = router.handle(request(Method::POST, "/admin/v1/subjects/42/erase", Some(ADMIN))).await;
    assert_eq!(response.body, Bytes::from("/admin/v1/subjects/42/erase"));
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 15, "every call is observed");
    let last = calls.last().unwrap();
    assert_eq!(last.route, "/admin/v1/subjects/{id}/erase", "the pattern, not the raw path");
    assert_eq!((last.status, last.token_name.as_str()), (StatusCode::ACCEPTED, "root"));
    assert!(calls.iter().all(|c| !c.token_name.contains("token")));
}

#[tokio::test]
async fn reload_swaps_good_rules_and_keeps_the_old_ones_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let tag_file = dir.path().join("tag");
    std::fs::write(&tag_file, "A:").unwrap();
    let filter = Arc::new(FilterHandle::load(Box::new(FileTagLoader { path: tag_file.clone() })).unwrap());
    let router = admin::router(state(filter.clone(), true), vec![]);
    let rules = router.handle(request(Method::GET, "/admin/v1/rules", Some(READ))).await;
    let body: serde_json::Value = serde_json::from_slice(&rules.body).unwrap();
    assert_eq!(body["rules"]["tag"], "A:");
    assert_eq!(body["generation"], 1);

    std::fs::write(&tag_file, "B:").unwrap();
    let ok = router.handle(request(Method::POST, "/admin/v1/rules/reload", Some(OPERATE))).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(filter.current().explain()["tag"], "B:");

    std::fs::write(&tag_file, "INVALID").unwrap();
    let bad = router.handle(request(Method::POST, "/admin/v1/rules/reload", Some(ADMIN))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = serde_json::from_slice(&bad.body).unwrap();
    assert!(body["error"].as_str().unwrap().contains("invalid rules"));
    assert_eq!(filter.current().explain()["tag"], "B:", "the old rules must stay");
    assert_eq!(filter.generation(), 2);
    assert_eq!(filter.reload_counts(), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloaded_rules_apply_to_the_running_stream_and_metrics_show_it() {
    let dir = tempfile::tempdir().unwrap();
    let tag_file = dir.path().join("tag");
    std::fs::write(&tag_file, "A:").unwrap();
    let filter = Arc::new(FilterHandle::load(Box::new(FileTagLoader { path: tag_file.clone() })).unwrap());
    let sink = Sink::start("127.0.0.1:0".parse().unwrap(), Arc::new(Mutex::new(Vec::new()))).await;
    let mut c = config(ForwardTarget::Tcp(sink.addr.to_string()));
    c.admin = Some("127.0.0.1:0".parse().unwrap());
    c.admin_tokens = tokens();
    let proxy = steward::proxy::start(c, filter.clone(), vec![]).await.unwrap();
    let admin_addr = proxy.admin_addr.unwrap();
    let mut client = TcpStream::connect(proxy.listen_addrs[0]).await.unwrap();
    client.write_all(b"{\"n\":1,\"e\":\"a@b\"}\n").await.unwrap();
    assert!(eventually(|| proxy.metrics.lines_out.load(Ordering::Relaxed) == 1).await);

    std::fs::write(&tag_file, "B:").unwrap();
    let (status, _) = http(admin_addr, "POST", "/admin/v1/rules/reload", Some(OPERATE)).await;
    assert_eq!(status, 200);
    client.write_all(b"{\"n\":2}\n").await.unwrap();
    assert!(eventually(|| proxy.metrics.lines_out.load(Ordering::Relaxed) == 2).await);

    let (status, text) = http(admin_addr, "GET", "/admin/v1/rules", None).await;
    assert_eq!(status, 401);
    assert!(text.to_ascii_lowercase().contains("www-authenticate: bearer"));
    let (status, metrics) = http(admin_addr, "GET", "/metrics", None).await;
    assert_eq!(status, 200);
    for expected in [
        "steward_lines_in_total 2",
        "steward_lines_out_total 2",
        "steward_redactions_total{entity=\"at_sign\"} 1",
        "steward_rules_generation 2",
        "steward_rules_reloads_total 1",
        "steward_lines_dropped_total 0",
        "steward_connections_open 1",
        "steward_downstream_connected 1",
        "steward_buffer_capacity_bytes 8388608",
        "steward_batch_latency_seconds_count 2",
        "steward_batch_latency_seconds_bucket{le=\"+Inf\"} 2",
    ] {
        assert!(metrics.contains(expected), "missing `{expected}` in:\n{metrics}");
    }
    assert!(!metrics.contains(READ) && !metrics.contains("a@b"));
    drop(client);
    proxy.shutdown().await;
    sink.settled().await;
    assert_eq!(sink.lines(), vec!["A:{\"n\":1,\"e\":\"a#b\"}", "B:{\"n\":2}"]);
}

/// A minimal HTTP/1.1 client: returns the status and the whole response text.
async fn http(addr: std::net::SocketAddr, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let req = format!("{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, out)
}
