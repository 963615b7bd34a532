//! Endpoint URLs as the config names them, with any credentials taken out while the file is
//! loaded. A password written into a URL (`mysql://app:pw@host/`, `?password=` for
//! PostgreSQL) is moved into a [`SecretString`] at deserialisation, so the URL itself can be
//! shown in any message, log line or `config show` without a byte of it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::secrets::SecretString;

/// A configured endpoint URL without credentials, plus the password it carried (if any).
/// Dereferences to the URL text (`&str`); `Display` and `Debug` show that text only.
#[derive(Clone, Default)]
pub struct EndpointUrl {
    url: String,
    password: Option<SecretString>,
}

/// Query keys that carry a password in driver URLs (libpq's `password`).
const PASSWORD_QUERY_KEYS: [&str; 2] = ["password", "pass"];

impl EndpointUrl {
    /// Parse `raw` with the `url` crate and take its password out (userinfo or a `password`
    /// query pair, percent-decoded). Text that is not a URL is kept as it is unless it carries
    /// `@` (possible userinfo): that is an error which shows only what follows the last `@`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut parsed = match url::Url::parse(raw) {
            Ok(u) => u,
            Err(e) => {
                return match raw.rsplit_once('@') {
                    Some((_, host)) => Err(format!("not a URL ({e}): ***@{host}")),
                    None => Ok(EndpointUrl {
                        url: raw.to_string(),
                        password: None,
                    }),
                };
            }
        };
        // `user:pw@host` parses as scheme `user` with an opaque path: userinfo without a host
        // is not an endpoint, and its text may be a password.
        if parsed.host().is_none()
            && let Some((_, host)) = raw.rsplit_once('@')
        {
            return Err(format!("not a URL with a host: ***@{host}"));
        }
        let mut password = parsed.password().map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        });
        let query_has_password = parsed
            .query_pairs()
            .any(|(k, _)| PASSWORD_QUERY_KEYS.contains(&k.as_ref()));
        if password.is_none() && !query_has_password {
            return Ok(EndpointUrl {
                url: raw.to_string(),
                password: None,
            });
        }
        if password.is_some() {
            parsed
                .set_password(None)
                .map_err(|()| "a URL with a password but no host".to_string())?;
        }
        if query_has_password {
            let mut kept = Vec::new();
            for (k, v) in parsed.query_pairs() {
                if PASSWORD_QUERY_KEYS.contains(&k.as_ref()) {
                    password.get_or_insert_with(|| v.into_owned());
                } else {
                    kept.push((k.into_owned(), v.into_owned()));
                }
            }
            if kept.is_empty() {
                parsed.set_query(None);
            } else {
                parsed.query_pairs_mut().clear().extend_pairs(kept);
            }
        }
        Ok(EndpointUrl {
            url: parsed.to_string(),
            password: password.map(SecretString::from),
        })
    }

    /// The URL without credentials.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The password the configured URL carried, if any (used when no `password_env` or
    /// `password_secret` is set).
    pub fn password(&self) -> Option<&SecretString> {
        self.password.as_ref()
    }
}

impl std::ops::Deref for EndpointUrl {
    type Target = str;
    fn deref(&self) -> &str {
        &self.url
    }
}

impl AsRef<str> for EndpointUrl {
    fn as_ref(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl fmt::Debug for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.url, f)?;
        if self.password.is_some() {
            f.write_str(" (password held)")?;
        }
        Ok(())
    }
}

impl PartialEq<str> for EndpointUrl {
    fn eq(&self, other: &str) -> bool {
        self.url == other
    }
}

impl PartialEq<&str> for EndpointUrl {
    fn eq(&self, other: &&str) -> bool {
        self.url == *other
    }
}

/// For code and tests that build configs by hand. A URL that cannot be split is kept as
/// given without its userinfo, so a panic never prints it.
impl From<&str> for EndpointUrl {
    fn from(s: &str) -> Self {
        EndpointUrl::parse(s).unwrap_or_else(|_| EndpointUrl {
            url: super::redact_url(s),
            password: None,
        })
    }
}

impl From<String> for EndpointUrl {
    fn from(s: String) -> Self {
        EndpointUrl::from(s.as_str())
    }
}

impl From<&String> for EndpointUrl {
    fn from(s: &String) -> Self {
        EndpointUrl::from(s.as_str())
    }
}

/// The URL without credentials: `config show` and saved configs never carry the password.
impl Serialize for EndpointUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.url)
    }
}

impl<'de> Deserialize<'de> for EndpointUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        EndpointUrl::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Mask the password of every `scheme://user:password@` in `text` (a config line quoted in a
/// parse error, a driver's message): only the userinfo's password is replaced by `***`.
pub fn mask_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | '`') || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push_str(":***@");
                    }
                    None => {
                        out.push_str(userinfo);
                        out.push('@');
                    }
                }
                out.push_str(host);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::secrets::ExposeSecret;

    #[test]
    fn a_password_in_the_userinfo_is_taken_out_and_kept_decoded() {
        let u = EndpointUrl::parse("mysql://app:s3cr%40t:x@db.internal:3306/shop").unwrap();
        assert_eq!(u.as_str(), "mysql://app@db.internal:3306/shop");
        assert_eq!(u.password().unwrap().expose_secret(), "s3cr@t:x");
        for shown in [
            format!("{u}"),
            format!("{u:?}"),
            serde_json::to_string(&u).unwrap(),
        ] {
            assert!(!shown.contains("s3cr"), "{shown}");
        }
    }

    #[test]
    fn a_password_query_pair_is_taken_out_and_the_other_pairs_kept() {
        let u = EndpointUrl::parse("postgres://rs@h:5439/analytics?password=pw-99&sslmode=require")
            .unwrap();
        assert_eq!(u.as_str(), "postgres://rs@h:5439/analytics?sslmode=require");
        assert_eq!(u.password().unwrap().expose_secret(), "pw-99");
    }

    #[test]
    fn a_url_without_credentials_is_kept_byte_for_byte() {
        for raw in [
            "redis://127.0.0.1:6390",
            "mysql://root@127.0.0.1:3316/shop",
            "http://127.0.0.1:9201",
        ] {
            let u = EndpointUrl::parse(raw).unwrap();
            assert_eq!(u.as_str(), raw);
            assert!(u.password().is_none());
        }
    }

    #[test]
    fn text_that_is_not_a_url_but_has_userinfo_is_an_error_without_the_userinfo() {
        let e = EndpointUrl::parse("app:hunter2@db.internal").unwrap_err();
        assert!(e.contains("***@db.internal"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn urls_inside_a_message_have_their_passwords_masked() {
        let m =
            mask_urls_in(r#"at `writer_url = "mysql://app:pw-77@db:3306/x"` and redis://:pw2@h:1"#);
        assert!(!m.contains("pw-77") && !m.contains("pw2"), "{m}");
        assert!(m.contains("mysql://app:***@db:3306/x"), "{m}");
        assert!(m.contains("redis://:***@h:1"), "{m}");
        assert_eq!(mask_urls_in("no url here"), "no url here");
    }
}
