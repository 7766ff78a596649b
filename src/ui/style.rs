//! Colour: decided by anstream (a terminal, NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM=dumb,
//! as the ecosystem agrees), overridden by `--color`; written with anstyle.

use anstyle::{AnsiColor, Effects, Style as Ansi};

/// When to colour, as `--color` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Styling for one output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// Colour for stdout (`stderr: false`) or stderr.
    pub fn detect(choice: ColorChoice, stderr: bool) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let auto = if stderr {
                    anstream::AutoStream::choice(&std::io::stderr())
                } else {
                    anstream::AutoStream::choice(&std::io::stdout())
                };
                !matches!(auto, anstream::ColorChoice::Never)
            }
        };
        Style { color }
    }

    fn paint(&self, style: Ansi, s: &str) -> String {
        if self.color {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint(Ansi::new().effects(Effects::BOLD), s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint(Ansi::new().effects(Effects::DIMMED), s)
    }
    pub fn italic(&self, s: &str) -> String {
        self.paint(Ansi::new().effects(Effects::ITALIC), s)
    }
    pub fn underline(&self, s: &str) -> String {
        self.paint(Ansi::new().effects(Effects::UNDERLINE), s)
    }
    pub fn green(&self, s: &str) -> String {
        self.paint(AnsiColor::Green.on_default(), s)
    }
    pub fn red(&self, s: &str) -> String {
        self.paint(AnsiColor::Red.on_default(), s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default(), s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.paint(AnsiColor::Cyan.on_default(), s)
    }
}

/// How many columns `s` takes on a terminal: escape sequences take none.
pub fn width(s: &str) -> usize {
    console::measure_text_width(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_does_not_count_as_width() {
        let s = Style { color: true };
        assert_eq!(width(&s.green("yes")), 3);
        assert_eq!(width("naïve"), 5);
        assert_eq!(Style::PLAIN.red("x"), "x");
    }
}
