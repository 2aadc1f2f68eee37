//! Mounts the compliance endpoints (request ledger, audit) and `/admin/v1/doctor` on the admin server.
//!
//! The handlers themselves live in `compliance::api`; this file only maps them onto routes with the admin
//! server's scopes, and names the calling token in the audit log.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};

use super::{call_handler, AdminCall, Route, Scope};
use crate::audit::entry::{Actor, SafeId};
use crate::compliance::api::{self, ComplianceCtx};

/// The ledger and audit routes of issue [4/7], all reading `ctx`.
pub fn ledger_routes(ctx: Arc<ComplianceCtx>) -> Vec<Route> {
    let table: [(Method, &str); 7] = [
        (Method::POST, "/admin/v1/requests"),
        (Method::GET, "/admin/v1/requests"),
        (Method::GET, "/admin/v1/requests/{id}"),
        (Method::POST, "/admin/v1/requests/{id}/extend"),
        (Method::POST, "/admin/v1/requests/{id}/close"),
        (Method::GET, "/admin/v1/audit/verify"),
        (Method::GET, "/admin/v1/audit/export"),
    ];
    table
        .into_iter()
        .map(|(method, pattern)| {
            // The scope comes from the compliance module's own table, so both agree by construction.
            let example = pattern.replace("{id}", "1");
            let scope = match api::required_scope(&method, &example) {
                Some(api::Scope::Read) => Scope::Read,
                Some(api::Scope::Operate) => Scope::Operate,
                Some(api::Scope::Admin) | None => Scope::Admin,
            };
            let ctx = ctx.clone();
            let handler = call_handler(move |call: AdminCall| {
                let ctx = ctx.clone();
                async move {
                    let actor = Actor::AdminApi(call.caller.as_ref().and_then(|caller| SafeId::new(&caller.name).ok()));
                    let query = (!call.query.is_empty()).then_some(call.query.as_str());
                    match api::handle_as(&ctx, actor, &call.method, &call.path, query, call.body).await {
                        Some(response) => (response.status, response.body),
                        None => (StatusCode::NOT_FOUND, Bytes::from_static(b"{\"error\":\"no such route\"}")),
                    }
                }
            });
            let mut route = Route::new(method, pattern, Some(scope), handler);
            if pattern.ends_with("/export") {
                route.content_type = "application/x-ndjson";
            }
            route
        })
        .collect()
}

/// Opens the compliance state of `data_dir` for the admin server; `None` (with the reason) when it has not been
/// initialized, in which case the ledger endpoints are simply not mounted.
pub fn open_ledger(data_dir: &Path) -> Result<Arc<ComplianceCtx>, String> {
    if !data_dir.join(crate::store::DB_FILE).exists() {
        return Err(format!(
            "no compliance state in {}; run `steward init` to enable the ledger endpoints",
            data_dir.display()
        ));
    }
    let store = crate::store::Store::open(data_dir).map_err(|error| error.to_string())?;
    let keys = crate::keys::Keys::load(data_dir).map_err(|error| error.to_string())?;
    Ok(Arc::new(ComplianceCtx {
        store: Arc::new(store),
        keys: Arc::new(keys),
        config: crate::compliance::requests::LedgerConfig::default(),
        clock: api::Clock::System,
    }))
}

/// Expires closed request records past their retention once at start and then every `every`, until `stop`.
/// Each expiry writes its own audit entry (in `compliance::requests::expire`).
pub async fn expire_records_periodically(
    ctx: Arc<ComplianceCtx>,
    every: std::time::Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    loop {
        let today = crate::calendar::CivilDate::today_utc();
        let store = ctx.clone();
        match tokio::task::spawn_blocking(move || crate::compliance::requests::expire(&store.store, today)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(count)) => tracing::info!(message = "Expired closed request records past their retention.", count),
            Ok(Err(error)) => tracing::warn!(message = "Expiring request records failed; retrying later.", %error),
            Err(_) => tracing::warn!(message = "The expiry task stopped unexpectedly; retrying later."),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// `GET /admin/v1/doctor`: the rules in force and, when a token is configured, the Intercom checks.
pub fn doctor_route(filter: Arc<crate::proxy::filter::FilterHandle>) -> Route {
    let handler = call_handler(move |_call: AdminCall| {
        let filter = filter.clone();
        async move {
            let rules = serde_json::json!({ "ok": true, "generation": filter.generation() });
            let check = crate::intercom::doctor::check_configured(None, |name| std::env::var(name).ok()).await;
            let intercom = match check {
                Ok(report) => serde_json::json!({
                    "ok": true,
                    "base_url": report.base_url,
                    "region": report.region,
                    "api_version": report.api_version,
                    "workspace_id": report.workspace_id,
                    "workspace_name": report.workspace_name,
                    "report": report.to_string(),
                }),
                Err(error) => serde_json::json!({ "ok": false, "error": error }),
            };
            let ok = intercom["ok"] == true;
            let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
            let body = serde_json::json!({ "ok": ok, "rules": rules, "intercom": intercom });
            (status, Bytes::from(body.to_string()))
        }
    });
    Route::new(Method::GET, "/admin/v1/doctor", Some(Scope::Read), handler)
}
