//! `GET /admin/v1/doctor` against the bundled simulator: the Intercom checks and the rules, behind the `read` scope.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};
use steward::admin::auth::{Scope, TokenSet};
use steward::admin::{self, AdminRequest, AdminState};
use steward::proxy::filter::FilterHandle;
use steward::proxy::metrics::Metrics;
use steward::sim::{spawn, SimConfig};

const READ: &str = "read-token-aaaaaaaaaaaa";

fn request(token: Option<&str>) -> AdminRequest {
    AdminRequest {
        method: Method::GET,
        path: "/admin/v1/doctor".to_string(),
        query: String::new(),
        authorization: token.map(|t| format!("Bearer {t}").into_bytes()),
        body: Bytes::new(),
    }
}

#[tokio::test]
async fn doctor_endpoint_reports_the_workspace_and_needs_read() {
    let config = SimConfig { token: "doctor-token".to_string(), ..SimConfig::default() };
    let (_addr, handle) = spawn(config).await.unwrap();
    // This is the only test in this binary, so setting the process environment races with nothing.
    std::env::set_var("STEWARD_INTERCOM_TOKEN", "doctor-token");
    std::env::set_var("STEWARD_INTERCOM_URL", handle.url());
    let mut tokens = TokenSet::default();
    tokens.add("reader", Scope::Read, READ.as_bytes()).unwrap();
    let filter = Arc::new(FilterHandle::load(Box::new(steward::proxy::engine::EngineLoader::default())).unwrap());
    let state = Arc::new(AdminState {
        metrics: Arc::new(Metrics::default()),
        filter: filter.clone(),
        tokens,
        public_metrics: false,
        refresh: None,
    });
    let router = admin::router(state, vec![admin::compliance::doctor_route(filter)]);
    assert_eq!(router.handle(request(None)).await.status, StatusCode::UNAUTHORIZED);
    let response = router.handle(request(Some(READ))).await;
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(response.status, StatusCode::OK, "{body}");
    assert_eq!(body["intercom"]["workspace_id"], "stewardsim");
    assert_eq!(body["rules"]["ok"], true);
    assert!(!response.body.windows(12).any(|w| w == b"doctor-token"), "the token is never echoed");

    std::env::set_var("STEWARD_INTERCOM_TOKEN", "wrong-token-zzzz");
    let response = router.handle(request(Some(READ))).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body["intercom"]["ok"], false, "{body}");
}
