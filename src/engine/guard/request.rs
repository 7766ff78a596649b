//! A request as the engine reads it, so that the policy judges what the engine will do:
//! Go routes on the percent-decoded path, matches JSON keys to fields ignoring case, and
//! a body the guard cannot read is one it cannot judge.

use serde_json::Value;

/// The API path the engine routes on: percent-decoded (`/containers/%63reate` is
/// `/containers/create` to Go), without its version (`/v1.41/containers/create`).
pub fn api_path(raw: &str) -> String {
    let path = percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned();
    if let Some(rest) = path.strip_prefix("/v")
        && let Some(i) = rest.find('/')
        && rest[..i].chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return rest[i..].to_string();
    }
    path
}

/// A request's JSON body. Empty is `Null`: the CLI sends none on some requests. `None`:
/// not one JSON value (garbage, or text after it that some engines ignore), or an object
/// that gives a key twice: Go fills one field from both copies, where a `Value` keeps only
/// the last (`{"HostConfig":{"Privileged":true},"HostConfig":{}}`).
pub fn body(bytes: &[u8]) -> Option<Value> {
    if bytes.trim_ascii().is_empty() {
        return Some(Value::Null);
    }
    serde_json::from_slice::<Unique>(bytes).ok()?;
    serde_json::from_slice(bytes).ok()
}

/// A JSON value in which no object repeats a key, as Go folds keys.
struct Unique;

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Unique)
    }
}

impl<'de> serde::de::Visitor<'de> for Unique {
    type Value = Unique;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(folded(&key)) {
                return Err(serde::de::Error::custom(format!("the key {key} twice")));
            }
            map.next_value::<Unique>()?;
        }
        Ok(Unique)
    }
}

/// Every value the object `v` has under `key`, matched as Go's JSON decoder matches a
/// struct's field. A body may spell a key several ways and the engine keeps one of them,
/// so the policy looks at all.
pub fn fields<'a>(v: &'a Value, key: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    v.as_object()
        .into_iter()
        .flatten()
        .filter(move |(k, _)| same_key(k, key))
        .map(|(_, v)| v)
}

/// The named volumes a container create mounts (`-v data:/x`, `--mount
/// type=volume,src=data`): the engine creates each that does not exist yet.
pub fn named_volumes(body: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for hc in fields(body, "HostConfig") {
        for bind in fields(hc, "Binds").flat_map(list) {
            let source = bind
                .as_str()
                .and_then(|b| b.split(':').next())
                .unwrap_or("");
            // A bind's source is a path; a volume's is a name.
            if !source.is_empty() && !source.starts_with(['/', '.', '~', '\\']) {
                names.push(source.to_string());
            }
        }
        for mount in fields(hc, "Mounts").flat_map(list) {
            let volume = fields(mount, "Type").any(|t| t.as_str() == Some("volume"));
            let source = fields(mount, "Source")
                .find_map(Value::as_str)
                .unwrap_or("");
            if volume && !source.is_empty() {
                names.push(source.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

fn list(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// Whether any value under `key` is `true`.
pub fn flag(v: &Value, key: &str) -> bool {
    fields(v, key).any(|f| f.as_bool() == Some(true))
}

/// Go's `EqualFold` for ASCII field names: case aside, `ſ` is `s` and the Kelvin sign
/// `K` is `k` (the only other letters that fold to ASCII ones).
fn same_key(a: &str, b: &str) -> bool {
    folded(a) == folded(b)
}

fn folded(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            'ſ' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_are_read_decoded() {
        assert_eq!(api_path("/v1.41/containers/create"), "/containers/create");
        assert_eq!(api_path("/containers/json"), "/containers/json");
        assert_eq!(api_path("/v1.41/containers/%63reate"), "/containers/create");
        assert_eq!(api_path("/%761.41/volumes%2Fcreate"), "/volumes/create");
    }

    #[test]
    fn keys_match_as_go_matches_them() {
        let v = json!({"hostconfig": 1, "HOSTCONFIG": 2, "HoſtConfig": 3, "Image": 4});
        let mut got: Vec<_> = fields(&v, "HostConfig").filter_map(Value::as_i64).collect();
        got.sort();
        assert_eq!(got, [1, 2, 3]);
        assert!(flag(&json!({"privileged": true}), "Privileged"));
        assert!(same_key("\u{212A}ey", "key"));
        assert!(!same_key("HostConfigs", "HostConfig"));
        assert_eq!(fields(&json!([1]), "HostConfig").count(), 0);
    }

    #[test]
    fn the_named_volumes_a_container_mounts() {
        let v = json!({"Image": "x", "HostConfig": {
            "Binds": ["data:/data", "/srv:/srv:ro", "./rel:/r", "logs:/logs:ro"],
            "Mounts": [
                {"Type": "volume", "Source": "cache", "Target": "/c"},
                {"Type": "volume", "Target": "/anonymous"},
                {"Type": "bind", "Source": "/tmp", "Target": "/t"},
                {"type": "volume", "source": "data", "target": "/d2"}
            ]
        }});
        assert_eq!(named_volumes(&v), ["cache", "data", "logs"]);
        assert!(named_volumes(&json!({"Image": "x"})).is_empty());
    }

    #[test]
    fn a_body_is_one_json_value_or_nothing() {
        assert_eq!(body(b""), Some(Value::Null));
        assert_eq!(body(b" \n"), Some(Value::Null));
        assert_eq!(
            body(b"{\"Image\":\"alpine\"}\n"),
            Some(json!({"Image": "alpine"}))
        );
        assert_eq!(body(b"{\"HostConfig\":{\"Privileged\":true}} x"), None);
        assert_eq!(body(b"not json"), None);
        // A key given twice, at any depth and in any case, is refused: Go would merge both.
        assert_eq!(
            body(br#"{"Image":"a","HostConfig":{"Privileged":true},"HostConfig":{}}"#),
            None
        );
        assert_eq!(
            body(br#"{"HostConfig":{"Binds":["/:/h"],"binds":[]}}"#),
            None
        );
        assert_eq!(body(br#"[{"a":1,"A":2}]"#), None);
        assert_eq!(
            body(br#"{"Env":["A=1"],"HostConfig":{"Env":null},"x":[{"a":1},{"a":2}]}"#),
            Some(json!({"Env":["A=1"],"HostConfig":{"Env":null},"x":[{"a":1},{"a":2}]}))
        );
    }
}
