//! TLS listeners: clients that speak TLS are redacted and forwarded like plain ones; a client that does
//! not speak TLS is closed without affecting the others.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use common::*;
use steward::proxy::config::{ForwardTarget, Framing, ListenAddr};
use steward::proxy::tls::{load_certs, TlsFiles};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::rustls;

const TAG: &str = "T:";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/tls").join(name)
}

fn connector() -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for cert in load_certs(&data("ca.pem")).unwrap() {
        roots.add(cert).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_clients_are_redacted_in_order_and_plain_clients_are_refused() {
    let sink = Sink::start("127.0.0.1:0".parse().unwrap(), Arc::new(Mutex::new(Vec::new()))).await;
    let mut c = config(ForwardTarget::Tcp(sink.addr.to_string()));
    c.listeners = vec![ListenAddr { addr: "127.0.0.1:0".parse().unwrap(), framing: Framing::Auto, tls: true }];
    c.tls = Some(TlsFiles { cert_file: data("server.pem"), key_file: data("server.key") });
    let proxy = steward::proxy::start(c, tag_handle(TAG), vec![]).await.unwrap();
    let addr = proxy.listen_addrs[0];

    let mut plain = TcpStream::connect(addr).await.unwrap();
    plain.write_all(b"{\"plain\":\"text@example.com\"}\n").await.unwrap();
    assert!(eventually(|| proxy.metrics.connections_closed_garbage.load(Ordering::Relaxed) == 1).await);

    let mut sent = BTreeMap::new();
    let mut tasks = Vec::new();
    for conn in 0..4 {
        let n = 3000;
        sent.insert(conn, n);
        let bytes = frame(&(0..n).map(|s| line(conn, s)).collect::<Vec<_>>(), conn == 3);
        let connector = connector();
        tasks.push(tokio::spawn(async move {
            let tcp = TcpStream::connect(addr).await.unwrap();
            let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
            let mut tls = connector.connect(name, tcp).await.unwrap();
            tls.write_all(&bytes).await.unwrap();
            tls.shutdown().await.unwrap();
            // Read until the proxy closes: closing with unread session tickets would send a reset,
            // and a reset discards what the proxy has not read yet.
            let mut rest = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut tls, &mut rest).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let total: usize = sent.values().sum();
    let m = proxy.metrics.clone();
    let done = eventually(|| m.lines_out.load(Ordering::Relaxed) as usize == total).await;
    assert!(
        done,
        "in {} out {} partial {} garbage {}",
        m.lines_in.load(Ordering::Relaxed),
        m.lines_out.load(Ordering::Relaxed),
        m.partial_lines.load(Ordering::Relaxed),
        m.connections_closed_garbage.load(Ordering::Relaxed)
    );
    proxy.shutdown().await;
    sink.settled().await;
    judge(&sink.lines(), TAG, &sent, Delivery::ExactlyOnce);
}
