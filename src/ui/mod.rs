//! The terminal: colour, tables, markdown, writing output. Nothing else prints.

pub mod lab_view;
pub mod output;
pub mod progress;
pub mod style;
pub mod table;
pub mod terminal;

pub use style::Style;
