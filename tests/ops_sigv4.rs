//! SigV4 signing of the reindex admin client (`[contexts.X.opensearch] sigv4 = true`), with a
//! static test credential: (1) the request on the wire carries a signature that the same
//! request, re-signed by aws-sigv4 from what a server received, reproduces (the canonical
//! request covers method, path, query, host, x-amz-date and the payload hash); (2) the stack's
//! OpenSearch node (which ignores the signature) answers a signed client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use opsdeck::services::opensearch::OsAdmin;
use opsdeck::services::opensearch::admin::SearchAdmin;

const KEY_ID: &str = "AKIDOPSDECKTEST";
const SECRET: &str = "opsdeck/test/secret/key";

fn signed_admin(url: &str) -> OsAdmin {
    let creds =
        SharedCredentialsProvider::new(Credentials::new(KEY_ID, SECRET, None, None, "static-test"));
    OsAdmin::signed(
        url,
        creds,
        aws_config::Region::new("us-east-1"),
        Some(Duration::from_secs(10)),
    )
    .unwrap()
}

/// One HTTP/1.1 request as a server receives it.
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn accept_one(listener: TcpListener, reply: &'static str) -> std::thread::JoinHandle<Received> {
    std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut r = BufReader::new(sock.try_clone().unwrap());
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap().to_string();
        let target = parts.next().unwrap().to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            r.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
        let len = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        let resp = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
            reply.len()
        );
        sock.write_all(resp.as_bytes()).unwrap();
        Received {
            method,
            target,
            headers,
            body,
        }
    })
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header in {:?}", r.headers))
}

/// The signature aws-sigv4 computes for the received request at its own x-amz-date.
fn resign(r: &Received, signed_headers: &[&str]) -> String {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, SignableBody, SignableRequest, SigningParams, SigningSettings, sign,
    };
    let amz_date = header(r, "x-amz-date");
    let time = chrono::NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .unwrap()
        .and_utc();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(time.timestamp() as u64);
    let identity: aws_smithy_runtime_api::client::identity::Identity =
        Credentials::new(KEY_ID, SECRET, None, None, "static-test").into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .name("es")
        .region("us-east-1")
        .time(time)
        .settings(settings)
        .build()
        .unwrap();
    let uri = format!("http://{}{}", header(r, "host"), r.target);
    let headers = r
        .headers
        .iter()
        .filter(|(k, _)| signed_headers.contains(&k.as_str()) && k != "x-amz-content-sha256")
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let req = SignableRequest::new(&r.method, &uri, headers, SignableBody::Bytes(&r.body)).unwrap();
    let (instructions, signature) = sign(req, &SigningParams::V4(params)).unwrap().into_parts();
    let _ = instructions;
    signature
}

#[tokio::test]
async fn the_reindex_admin_signs_a_canonical_request_a_server_can_recompute() {
    opsdeck::install_crypto_provider();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = accept_one(listener, r#"{"status":"green"}"#);
    let admin = signed_admin(&url);
    assert_eq!(admin.health().await.unwrap(), "green");
    let got = server.join().unwrap();
    let auth = header(&got, "authorization");
    let date = &header(&got, "x-amz-date")[..8];
    assert!(
        auth.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={KEY_ID}/{date}/us-east-1/es/aws4_request, SignedHeaders="
        )),
        "{auth}"
    );
    let signed: Vec<&str> = auth
        .split("SignedHeaders=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .split(';')
        .collect();
    for h in ["host", "x-amz-content-sha256", "x-amz-date"] {
        assert!(signed.contains(&h), "{h} not signed: {auth}");
    }
    // The payload hash of an empty body (GET).
    assert_eq!(
        header(&got, "x-amz-content-sha256"),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert!(!auth.contains(SECRET), "the secret never travels");
    let sig = auth.rsplit("Signature=").next().unwrap();
    assert_eq!(sig.len(), 64, "{auth}");
    assert_eq!(resign(&got, &signed), sig, "{auth}");
}

#[tokio::test]
async fn a_signed_reindex_admin_works_against_the_local_node() {
    opsdeck::install_crypto_provider();
    let url = std::env::var("OPSDECK_OPENSEARCH_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:9201".into());
    let admin = signed_admin(&url);
    let h = admin
        .health()
        .await
        .unwrap_or_else(|e| panic!("{url} (is the stack up?): {e:#}"));
    assert!(["green", "yellow"].contains(&h.as_str()), "{h}");
    assert!(!admin.disk_allocation().await.unwrap().is_empty());
}
