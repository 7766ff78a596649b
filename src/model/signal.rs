//! Signals as Docker takes them: `QUIT`, `SIGQUIT`, `sigquit` and `3` are one signal.

const NAMES: &[&str] = &[
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

/// The signal's name without `SIG`, upper case (`QUIT`); `None` when it is not a signal.
pub fn normalize(sig: &str) -> Option<String> {
    let s = sig.trim().to_ascii_uppercase();
    if let Ok(n) = s.parse::<usize>() {
        return (1..=31).contains(&n).then(|| NAMES[n - 1].to_string());
    }
    let bare = s.strip_prefix("SIG").unwrap_or(&s);
    NAMES.contains(&bare).then(|| bare.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_one_signal() {
        for s in ["QUIT", "SIGQUIT", "sigquit", "3", " Quit "] {
            assert_eq!(normalize(s).as_deref(), Some("QUIT"), "{s}");
        }
        assert_eq!(normalize("9").as_deref(), Some("KILL"));
        assert_eq!(normalize("SIGFOO"), None);
        assert_eq!(normalize("0"), None);
    }
}
