//! Chains judged whole, without a server: `probe::tls::verify` and `describe` called on
//! certificates made by `support::pki` (a private root, intermediates and leaves, each
//! wrong in one way), against a `Trust` of the system store plus the `ca:` bundle the case
//! gives. The sentence each finding makes is asserted word for word at least once; the
//! same chains served by `openssl s_server` and nginx are `tls_servers`' part.
//!
//! Dates: `pki` makes certificates relative to the clock when it signs them. A case that
//! counts days left takes `now` before making them (so 5 days are 5 whole days), a case
//! that counts days since takes it after.

use netaccept::outcome::tls::{CertInfo, Role, TlsFinding};
use netaccept::probe::tls::{Name, Trust, Verified, describe, verify};

use crate::support::pki::{Digest, KeyType, Pki, Spec};

const ROOT: &str = "CN=netaccept test root, O=netaccept tests";
const INTER: &str = "CN=netaccept test intermediate, O=netaccept tests";
const LEAF: &str = "CN=a.test, O=netaccept tests";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn dns(name: &str) -> Name {
    Name::Dns(name.to_string())
}

/// The certificates as a server sends them, leaf first.
fn sent(certs: &[&Pki]) -> Vec<Vec<u8>> {
    certs.iter().map(|c| c.der()).collect()
}

/// The system store plus `ca` as the suite's `ca:` bundle.
fn trust(ca: &[&Pki]) -> Trust {
    let pem: Vec<u8> = ca.iter().flat_map(|c| c.pem()).collect();
    Trust::new(Some(&pem)).unwrap()
}

/// The root's spec, for a case that makes it wrong in one way.
fn root_spec() -> Spec {
    Spec::ca("netaccept test root")
}

/// The intermediate's spec, for a case that makes it wrong in one way.
fn inter_spec() -> Spec {
    Spec::ca("netaccept test intermediate")
}

/// A leaf for `a.test` alone, for a case that makes it wrong in one way.
fn leaf_spec() -> Spec {
    Spec::leaf(&["DNS:a.test"])
}

/// A root, an intermediate and a leaf from these specs, each signed by the one before.
fn chain_of(root: &Spec, inter: &Spec, leaf: &Spec) -> (Pki, Pki, Pki) {
    let root = Pki::self_signed(root);
    let inter = root.issue(inter);
    let leaf = inter.issue(leaf);
    (root, inter, leaf)
}

/// A root, an intermediate and a leaf for `a.test` and 127.0.0.1, the defaults of `pki`.
fn good() -> (Pki, Pki, Pki) {
    chain_of(
        &root_spec(),
        &inter_spec(),
        &Spec::leaf(&["DNS:a.test", "IP:127.0.0.1"]),
    )
}

/// `sent` judged against `roots` as `ca:` for the name `a.test`, sent as SNI, at `t`.
fn verify_a_at(t: i64, sent: &[&Pki], roots: &[&Pki]) -> Result<Verified, TlsFinding> {
    verify(&self::sent(sent), &trust(roots), &dns("a.test"), true, t)
}

/// `sent` judged against a `Trust` the case builds itself, for `a.test` sent as SNI, now.
fn verify_a_with(trust: &Trust, sent: &[&Pki]) -> Result<Verified, TlsFinding> {
    verify(&self::sent(sent), trust, &dns("a.test"), true, now())
}

/// [`verify_a_at`] now, for the cases that count no days.
fn verify_a(sent: &[&Pki], roots: &[&Pki]) -> Result<Verified, TlsFinding> {
    verify_a_at(now(), sent, roots)
}

fn info(p: &Pki) -> CertInfo {
    describe(&[p.der()]).remove(0)
}

fn verified(r: Result<Verified, TlsFinding>) -> Verified {
    match r {
        Ok(v) => v,
        Err(f) => panic!("not verified: {}", f.message_en()),
    }
}

fn refused(r: Result<Verified, TlsFinding>) -> TlsFinding {
    match r {
        Ok(v) => panic!("verified: {v:?}"),
        Err(f) => f,
    }
}

#[test]
fn a_good_chain_verifies_leaf_to_root_and_the_leaf_expires_first() {
    let t = now();
    let (root, inter, leaf) = good();
    let v = verified(verify_a_at(t, &[&leaf, &inter], &[&root]));
    let subjects: Vec<&str> = v.chain.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects, [LEAF, INTER, ROOT]);
    assert_eq!(v.earliest.role, Role::Leaf);
    assert_eq!(v.earliest.subject, LEAF);
    assert_eq!(v.earliest.not_after, info(&leaf).not_after);
    assert_eq!(v.earliest.days_left, 365);
    assert!(v.notes.is_empty(), "{:?}", v.notes);
    // The chain as built names the root the server did not send, for `tls_root`.
    assert_eq!(v.chain[2], info(&root));
}

#[test]
fn the_earliest_expiry_names_the_intermediate_expiring_in_5_days() {
    let t = now();
    let (root, inter, leaf) = chain_of(&root_spec(), &inter_spec().valid(-30, 5), &leaf_spec());
    let v = verified(verify_a_at(t, &[&leaf, &inter], &[&root]));
    assert_eq!(v.earliest.role, Role::Intermediate);
    assert_eq!(v.earliest.subject, INTER);
    assert_eq!(v.earliest.days_left, 5);
    assert_eq!(v.earliest.not_after, info(&inter).not_after);
}

#[test]
fn the_earliest_expiry_names_a_private_root_expiring_first() {
    let t = now();
    let (root, inter, leaf) = chain_of(&root_spec().valid(-30, 20), &inter_spec(), &leaf_spec());
    let v = verified(verify_a_at(t, &[&leaf, &inter], &[&root]));
    assert_eq!(v.earliest.role, Role::Root);
    assert_eq!(v.earliest.subject, ROOT);
    assert_eq!(v.earliest.days_left, 20);
}

#[test]
fn an_expired_private_root_fails_naming_the_root() {
    let (root, inter, leaf) = chain_of(&root_spec().valid(-400, -10), &inter_spec(), &leaf_spec());
    let f = refused(verify_a(&[&leaf, &inter], &[&root]));
    assert_eq!(
        f.message_en(),
        format!(
            "certificate '{ROOT}' (root) expired 10 days ago ({})",
            info(&root).not_after
        )
    );
    assert_eq!(
        f.message_zh(),
        format!(
            "证书 '{ROOT}'（根证书）已于 10 天前过期（{}）",
            info(&root).not_after
        )
    );
}

#[test]
fn an_expired_intermediate_says_expired_not_unknown_issuer() {
    let (root, inter, leaf) = chain_of(&root_spec(), &inter_spec().valid(-400, -336), &leaf_spec());
    let f = refused(verify_a(&[&leaf, &inter], &[&root]));
    let TlsFinding::Expired {
        subject,
        role,
        days_ago,
        ..
    } = &f
    else {
        panic!("{f:?}");
    };
    assert_eq!(
        (subject.as_str(), *role, *days_ago),
        (INTER, Role::Intermediate, 336)
    );
    assert!(
        f.message_en()
            .contains("(intermediate) expired 336 days ago"),
        "{}",
        f.message_en()
    );
}

#[test]
fn a_leaf_not_yet_valid_says_until_when() {
    let t = now();
    let (root, inter, _) = good();
    let leaf = inter.issue(&leaf_spec().valid(2, 30));
    let f = refused(verify_a_at(t, &[&leaf, &inter], &[&root]));
    assert_eq!(
        f.message_en(),
        format!(
            "certificate '{LEAF}' (leaf) is not valid until {} (2 days from now)",
            info(&leaf).not_before
        )
    );
}

#[test]
fn a_missing_intermediate_and_an_unknown_issuer_read_differently() {
    let (root, inter, leaf) = good();
    // The server sends its leaf alone; the suite's `ca:` holds the root.
    let missing = refused(verify_a(&[&leaf], &[&root]));
    assert_eq!(
        missing,
        TlsFinding::MissingIntermediate {
            sent: 1,
            issuer: INTER.to_string()
        }
    );
    assert_eq!(
        missing.message_en(),
        format!(
            "server sent 1 certificate; issuer '{INTER}' was not sent (the server must send its intermediate certificates)"
        )
    );
    // The server sends its whole chain; the suite forgot `ca:`.
    let unknown = refused(verify_a_with(&Trust::new(None).unwrap(), &[&leaf, &inter]));
    assert_eq!(
        unknown.message_en(),
        format!(
            "server sent 2 certificates, ending at issuer '{ROOT}', which no CA trusted here knows (give its CA in `ca:`)"
        )
    );
    assert_ne!(missing.message_zh(), unknown.message_zh());
}

#[test]
fn a_server_sending_its_own_untrusted_root_ends_at_an_unknown_issuer() {
    let (root, inter, leaf) = good();
    let f = refused(verify_a_with(
        &Trust::new(None).unwrap(),
        &[&leaf, &inter, &root],
    ));
    assert_eq!(
        f,
        TlsFinding::UnknownIssuer {
            sent: 3,
            issuer: ROOT.to_string()
        }
    );
}

#[test]
fn an_intermediate_in_the_ca_bundle_is_noted_where_it_hides_the_server() {
    let (root, inter, leaf) = good();
    let trust = trust(&[&root, &inter]);
    let bundle_note = TlsFinding::CaBundleIntermediate {
        subject: INTER.to_string(),
    };
    assert_eq!(trust.notes(), std::slice::from_ref(&bundle_note));
    assert_eq!(
        bundle_note.message_en(),
        format!(
            "the `ca:` bundle holds intermediate '{INTER}', which hides a server that does not send it"
        )
    );
    // The server sends its leaf alone: it verifies only through `ca:`, which is said.
    let v = verified(verify_a_with(&trust, &[&leaf]));
    assert_eq!(
        v.notes,
        [TlsFinding::IntermediateNotSent {
            subject: INTER.to_string()
        }]
    );
    assert_eq!(
        v.notes[0].message_en(),
        format!(
            "server did not send intermediate '{INTER}'; the chain verified only because `ca:` holds it"
        )
    );
    // Sent whole, nothing to say about the server.
    let v = verified(verify_a_with(&trust, &[&leaf, &inter]));
    assert!(v.notes.is_empty(), "{:?}", v.notes);
    // The root behind the intermediate `ca:` holds is still judged: expired, it fails.
    let (old, old_inter, leaf) =
        chain_of(&root_spec().valid(-400, -10), &inter_spec(), &leaf_spec());
    for sent in [&[&leaf][..], &[&leaf, &old_inter]] {
        let f = refused(verify_a(sent, &[&old, &old_inter]));
        assert!(
            matches!(
                f,
                TlsFinding::Expired {
                    role: Role::Root,
                    ..
                }
            ),
            "{f:?}"
        );
    }
    // A bundle of roots only has nothing to say either.
    assert!(self::trust(&[&root]).notes().is_empty());
}

#[test]
fn a_ca_bundle_of_the_intermediate_alone_anchors_the_chain_as_curl_does() {
    let (_, inter, leaf) = good();
    let trust = trust(&[&inter]);
    let v = verified(verify_a_with(&trust, &[&leaf, &inter]));
    let subjects: Vec<&str> = v.chain.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects, [LEAF, INTER]);
    assert!(v.notes.is_empty(), "{:?}", v.notes);
    let v = verified(verify_a_with(&trust, &[&leaf]));
    assert_eq!(
        v.notes,
        [TlsFinding::IntermediateNotSent {
            subject: INTER.to_string()
        }]
    );
}

#[test]
fn a_sha1_signed_leaf_is_named_with_its_algorithm() {
    let (root, inter, _) = good();
    let leaf = inter.issue(&leaf_spec().digest(Digest::Sha1));
    let f = refused(verify_a(&[&leaf, &inter], &[&root]));
    assert_eq!(
        f.message_en(),
        format!(
            "certificate '{LEAF}' (leaf) is signed with SHA-1 (sha1WithRSAEncryption), which current clients refuse"
        )
    );
}

#[test]
fn a_sha1_signed_intermediate_is_named_too_but_not_a_root_s_own_signature() {
    let (root, inter, leaf) = chain_of(
        &root_spec().digest(Digest::Sha1),
        &inter_spec(),
        &leaf_spec(),
    );
    verified(verify_a(&[&leaf, &inter], &[&root]));

    let (root, inter, leaf) = chain_of(
        &root_spec(),
        &inter_spec().digest(Digest::Sha1),
        &leaf_spec(),
    );
    let f = refused(verify_a(&[&leaf, &inter], &[&root]));
    assert_eq!(
        f,
        TlsFinding::WeakSignature {
            subject: INTER.to_string(),
            role: Role::Intermediate,
            algorithm: "sha1WithRSAEncryption".to_string()
        }
    );
}

#[test]
fn an_rsa_1024_leaf_is_a_weak_key_not_a_bad_signature() {
    let (root, inter, _) = good();
    let leaf = inter.issue(&leaf_spec().key(KeyType::Rsa(1024)));
    let f = refused(verify_a(&[&leaf, &inter], &[&root]));
    assert_eq!(
        f.message_en(),
        format!(
            "certificate '{LEAF}' (leaf) has an RSA 1024-bit key; at least 2048 bits are required"
        )
    );
}

#[test]
fn a_cn_only_leaf_is_explained() {
    let (root, inter, _) = good();
    let leaf = inter.issue(&leaf_spec().cn_only("a.test"));
    let f = refused(verify_a(&[&leaf, &inter], &[&root]));
    assert_eq!(
        f.message_en(),
        "the name a.test is only in the certificate's CN; clients require subjectAltName"
    );
    // The same leaf for another name is a plain mismatch.
    let f = refused(verify(
        &sent(&[&leaf, &inter]),
        &trust(&[&root]),
        &dns("b.test"),
        true,
        now(),
    ));
    assert_eq!(
        f.message_en(),
        "certificate has no subjectAltName, so it is not for b.test"
    );
}

#[test]
fn a_name_mismatch_hints_at_host_only_when_no_sni_was_sent_for_an_address() {
    let (root, inter, leaf) = good();
    let chain = sent(&[&leaf, &inter]);
    let trust = trust(&[&root]);
    let f = refused(verify(&chain, &trust, &dns("b.test"), true, now()));
    assert_eq!(
        f.message_en(),
        "certificate is for DNS:a.test, IP:127.0.0.1, not for b.test"
    );
    let ip = Name::Ip("127.0.0.2".parse().unwrap());
    let f = refused(verify(&chain, &trust, &ip, false, now()));
    assert_eq!(
        f,
        TlsFinding::NameMismatch {
            name: "127.0.0.2".to_string(),
            names: vec!["DNS:a.test".to_string(), "IP:127.0.0.1".to_string()],
            no_sni: true
        }
    );
    assert_eq!(
        f.message_en(),
        "certificate is for DNS:a.test, IP:127.0.0.1, not for 127.0.0.2; no SNI is sent when the URL is an address: `host:` names the server"
    );
}

#[test]
fn an_ip_san_matches_the_address_and_a_dns_name_is_not_an_address() {
    let (root, inter, leaf) = good();
    let chain = sent(&[&leaf, &inter]);
    let trust = trust(&[&root]);
    let ip = Name::Ip("127.0.0.1".parse().unwrap());
    verified(verify(&chain, &trust, &ip, false, now()));
    let only_dns = inter.issue(&Spec::leaf(&["DNS:127.0.0.1"]));
    let f = refused(verify(
        &sent(&[&only_dns, &inter]),
        &trust,
        &ip,
        false,
        now(),
    ));
    assert!(
        matches!(f, TlsFinding::NameMismatch { no_sni: true, .. }),
        "{f:?}"
    );
}

#[test]
fn a_wildcard_covers_one_label() {
    let (root, inter, _) = good();
    let leaf = inter.issue(&Spec::leaf(&["DNS:*.a.test"]));
    let chain = sent(&[&leaf, &inter]);
    let trust = trust(&[&root]);
    verified(verify(&chain, &trust, &dns("www.a.test"), true, now()));
    let f = refused(verify(&chain, &trust, &dns("x.www.a.test"), true, now()));
    assert!(matches!(f, TlsFinding::NameMismatch { .. }), "{f:?}");
}

#[test]
fn a_client_auth_only_leaf_is_not_for_tls_servers() {
    let (root, inter, _) = good();
    let leaf = inter.issue(&leaf_spec().eku(&["clientAuth"]));
    let f = refused(verify_a(&[&leaf, &inter], &[&root]));
    assert_eq!(
        f.message_en(),
        format!("certificate '{LEAF}' is not for TLS servers (extended key usage: clientAuth)")
    );
    assert_eq!(
        f.message_zh(),
        format!("证书 '{LEAF}' 不可用于 TLS 服务器（扩展密钥用法：clientAuth）")
    );
}

#[test]
fn a_leaf_outside_the_name_constraints_names_the_constraining_ca() {
    let root = Pki::root("netaccept test root");
    let inter = root.issue(&inter_spec().name_constraints("permitted;DNS:.gov.test"));
    let inside = inter.issue(&Spec::leaf(&["DNS:sx.aq.gov.test"]));
    let trust = trust(&[&root]);
    verified(verify(
        &sent(&[&inside, &inter]),
        &trust,
        &dns("sx.aq.gov.test"),
        true,
        now(),
    ));
    let outside = inter.issue(&leaf_spec());
    let f = refused(verify_a_with(&trust, &[&outside, &inter]));
    assert_eq!(
        f.message_en(),
        format!(
            "certificate '{LEAF}' is outside the name constraints of CA '{INTER}' (it names DNS:a.test; the CA permits only DNS:.gov.test)"
        )
    );
}

#[test]
fn ed25519_and_ecdsa_chains_verify_and_are_described() {
    for (key, words, signature) in [
        (KeyType::Ed25519, "Ed25519", "ED25519"),
        (KeyType::EcP256, "EC P-256", "ecdsa-with-SHA256"),
    ] {
        let (root, inter, leaf) = chain_of(
            &root_spec().key(key),
            &inter_spec().key(key),
            &leaf_spec().key(key),
        );
        let v = verified(verify_a(&[&leaf, &inter], &[&root]));
        for c in &v.chain {
            assert_eq!(
                (c.key.as_str(), c.signature.as_str()),
                (words, signature),
                "{c:?}"
            );
        }
    }
}

#[test]
fn a_self_signed_leaf_is_said_so() {
    let leaf = Pki::self_signed(&leaf_spec());
    let f = refused(verify_a_with(&Trust::new(None).unwrap(), &[&leaf]));
    assert_eq!(
        f.message_en(),
        format!(
            "certificate '{LEAF}' is self-signed and not trusted here (give it in `ca:` if it is meant)"
        )
    );
}

/// Many internal servers carry a self-signed certificate, which the suite trusts by giving
/// that very certificate as `ca:`: it then verifies, as with curl `--cacert`, and it is
/// the leaf, the root and the earliest expiry at once.
#[test]
fn a_self_signed_leaf_given_as_ca_verifies() {
    let leaf = Pki::self_signed(&leaf_spec().valid(-1, 90));
    let v = verified(verify_a(&[&leaf], &[&leaf]));
    assert_eq!(v.chain.len(), 1, "{:?}", v.chain);
    assert_eq!(v.earliest.subject, LEAF);
    assert!(
        (89..=90).contains(&v.earliest.days_left),
        "{:?}",
        v.earliest
    );
    assert!(v.notes.is_empty(), "{:?}", v.notes);
}

#[test]
fn a_forged_signature_does_not_verify() {
    // An intermediate of the same name under another key: the leaf's signature is not its.
    let (root, inter, _) = good();
    let impostor = Pki::self_signed(&root_spec()).issue(&inter_spec());
    let leaf = impostor.issue(&leaf_spec());
    let f = refused(verify_a(&[&leaf, &inter], &[&root]));
    assert_eq!(
        f.message_en(),
        format!("the signature on certificate '{LEAF}' does not verify")
    );
}

#[test]
fn describe_records_each_certificate_as_sent() {
    let (_, inter, leaf) = good();
    let chain = describe(&[leaf.der(), inter.der(), b"not a certificate".to_vec()]);
    assert_eq!(chain.len(), 3);
    let l = &chain[0];
    assert_eq!(l.subject, LEAF);
    assert_eq!(l.issuer, INTER);
    assert_eq!(l.san, ["DNS:a.test", "IP:127.0.0.1"]);
    assert_eq!(l.key, "RSA 2048");
    assert_eq!(l.signature, "sha256WithRSAEncryption");
    assert_eq!(l.sha256, hex(&openssl::sha::sha256(&leaf.der())));
    let day = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    assert!(
        l.not_before.ends_with('Z') && l.not_after.ends_with('Z'),
        "{l:?}"
    );
    assert_eq!((day(&l.not_after) - day(&l.not_before) + 30) / 86_400, 366);
    assert_eq!(chain[1].subject, INTER);
    assert!(chain[1].san.is_empty());
    // What cannot be read is still told apart by its digest.
    assert_eq!(
        chain[2].sha256,
        hex(&openssl::sha::sha256(b"not a certificate"))
    );
    assert!(
        chain[2].subject.starts_with("(not a readable certificate"),
        "{:?}",
        chain[2]
    );
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter().fold(String::new(), |mut s, b| {
        write!(s, "{b:02x}").unwrap();
        s
    })
}
