//! Notification templates: email (subject, plain text, HTML) and SMS, in
//! English and Simplified Chinese.
//!
//! Templates are files (`templates/<channel>/<name>/<locale>.<part>`), built
//! into the binary so a fresh install works, and overridable per file from an
//! operator's templates folder. They are rendered with minijinja in
//! semi-strict mode: a variable the template needs but the request did not
//! send is an error (caught by the API before anything is queued), while
//! optional blocks may test for a variable with `{% if var %}`. HTML parts
//! are auto-escaped.

mod templates;

pub use templates::{Locale, RenderedEmail, TemplateError, Templates};
