pub mod course;
pub mod model;
