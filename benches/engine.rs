//! Criterion benchmarks of the engine: per detector (a line that exercises one), per format, and clean lines.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use steward::quality::{write_json_log, write_mixed_log};
use steward::redact::{Engine, Format};
use steward::rules::Rules;

fn bench_lines(c: &mut Criterion, group_name: &str, cases: &[(&str, &str, Format)]) {
    let engine = Engine::new(Rules::defaults(), None).expect("the defaults need no key");
    let mut group = c.benchmark_group(group_name);
    for (name, line, format) in cases {
        let mut redactor = engine.redactor();
        redactor.set_format(*format);
        let mut out = Vec::with_capacity(line.len() * 2);
        group.throughput(Throughput::Bytes(line.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| {
                out.clear();
                redactor.redact_line(black_box(line.as_bytes()), &mut out);
                black_box(&out);
            })
        });
    }
    group.finish();
}

fn detectors(c: &mut Criterion) {
    let t = Format::Text;
    bench_lines(
        c,
        "detector",
        &[
            ("email", "2026-11-29T10:13:43Z INFO password reset requested for jane.doe+tag@example.co.uk from web", t),
            (
                "phone",
                "2026-11-29T10:13:43Z INFO sms delivery failed to=+44 20 7946 0958 provider=twilio status=500",
                t,
            ),
            ("card", "2026-11-29T10:13:43Z WARN charging card 4111 1111 1111 1111 for order ORD-2026-000123 failed", t),
            ("iban", "2026-11-29T10:13:43Z INFO refund to IBAN GB82 WEST 1234 5698 7654 32 scheduled by billing", t),
            ("ssn", "2026-11-29T10:13:43Z INFO identity check ssn=460-89-9847 passed for applicant in onboarding", t),
            ("ip", "2026-11-29T10:13:43Z INFO peer 203.0.113.7 and 2001:db8::8a2e:370:7334 connected to edge", t),
            ("mac", "2026-11-29T10:13:43Z INFO dhcp lease 172.24.0.37 assigned to 00:1a:2b:3c:4d:5e for 13m26s", t),
            (
                "secret",
                "2026-11-29T10:13:43Z DEBUG outbound call Authorization: Bearer sk_live_abcdefghijklmnopqrstuvwx",
                t,
            ),
            (
                "credentials",
                "2026-11-29T10:13:43Z INFO connecting to postgres://app:s3cr3t@db.internal:5432/main now",
                t,
            ),
        ],
    );
}

fn formats(c: &mut Criterion) {
    bench_lines(
        c,
        "format",
        &[
            ("text_clean", "2026-11-29T10:13:43.123Z INFO [checkout-api] GET /v1/orders/84721 200 12ms request_id=8f14e45f-ceea-467f-a0e6-1234567890ab", Format::Auto),
            ("json_clean", r#"{"ts":"2026-11-29T10:13:43.123Z","level":"info","service":"checkout-api","msg":"GET /v1/orders/84721 200","duration_ms":12,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#, Format::Auto),
            ("json_pii", r#"{"ts":"2026-11-29T10:13:43.123Z","level":"info","email":"jane@example.com","msg":"card 4111 1111 1111 1111 call +44 20 7946 0958","name":"Jane Doe"}"#, Format::Auto),
            ("html", r#"<p>Hi, I'm <b>Jane</b>: <a href="mailto:jane@x.com">jane&#64;x.com</a>, call me at <i>+44 20 7946 0958</i></p>"#, Format::Text),
        ],
    );
}

fn streams(c: &mut Criterion) {
    let engine = Engine::new(Rules::defaults(), None).expect("the defaults need no key");
    let mut group = c.benchmark_group("stream");
    group.sample_size(10);
    for (name, json_only) in [("mixed_1_in_20", false), ("json_1_in_20", true)] {
        let mut log = Vec::new();
        if json_only {
            write_json_log(7, 8 << 20, 20, &mut log).expect("writing to memory works");
        } else {
            write_mixed_log(7, 8 << 20, 20, &mut log).expect("writing to memory works");
        }
        group.throughput(Throughput::Bytes(log.len() as u64));
        let mut redactor = engine.redactor();
        let mut out = Vec::with_capacity(log.len() + (1 << 20));
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                steward::redact::stream::filter(&mut redactor, &mut &log[..], &mut out, Default::default())
                    .expect("memory streams do not fail");
                black_box(&out);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, detectors, formats, streams);
criterion_main!(benches);
