//! The terminal: colour, tables, markdown, live progress, an attached session. Nothing
//! else prints.

pub mod attach;
pub mod checklist;
pub mod debug_view;
pub mod findings;
pub mod images;
pub mod lab_view;
pub mod live;
pub mod output;
pub mod style;
pub mod table;
pub mod terminal;

pub use style::Style;
