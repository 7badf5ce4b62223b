//! Loading and rendering templates.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};

/// Supported locales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    ZhCn,
}

impl Locale {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Locale::En),
            "zh-CN" => Some(Locale::ZhCn),
            _ => None,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("no {channel} template {name:?} for locale {locale}")]
    Unknown { channel: &'static str, name: String, locale: &'static str },
    #[error("template {name:?} could not be rendered: {detail}")]
    Render { name: String, detail: String },
    #[error("templates folder: {0}")]
    Folder(String),
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! builtin {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../templates/", $path)))),*]
    };
}

const BUILTIN: &[(&str, &str)] = builtin![
    "email/welcome/en.subject.txt",
    "email/welcome/en.txt",
    "email/welcome/en.html",
    "email/welcome/zh-CN.subject.txt",
    "email/welcome/zh-CN.txt",
    "email/welcome/zh-CN.html",
    "email/session_reminder/en.subject.txt",
    "email/session_reminder/en.txt",
    "email/session_reminder/en.html",
    "email/session_reminder/zh-CN.subject.txt",
    "email/session_reminder/zh-CN.txt",
    "email/session_reminder/zh-CN.html",
    "sms/welcome/en.txt",
    "sms/welcome/zh-CN.txt",
    "sms/session_reminder/en.txt",
    "sms/session_reminder/zh-CN.txt",
];

/// The template set.
#[derive(Debug, Clone)]
pub struct Templates {
    env: Environment<'static>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Templates {
    /// The built-in templates only.
    pub fn builtin() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for (path, source) in BUILTIN {
            // Compiled into the binary; `every_builtin_renders_in_both_locales`
            // proves each one parses, so an error here cannot happen at run time.
            let _ = env.add_template(path, source);
        }
        Self { env }
    }

    /// Built-ins, overridden (or extended) by every file under `dir` with the
    /// same layout: `email/<name>/<locale>.{subject.txt,txt,html}`,
    /// `sms/<name>/<locale>.txt`.
    pub fn with_overrides(dir: &Path) -> Result<Self, TemplateError> {
        let mut t = Self::builtin();
        for channel in ["email", "sms"] {
            let Ok(names) = std::fs::read_dir(dir.join(channel)) else { continue };
            for entry in names.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if !valid_name(&name) {
                    continue;
                }
                let Ok(files) = std::fs::read_dir(entry.path()) else { continue };
                for file in files.flatten() {
                    let fname = file.file_name().to_string_lossy().to_string();
                    let source =
                        std::fs::read_to_string(file.path()).map_err(|e| TemplateError::Folder(e.to_string()))?;
                    let key = format!("{channel}/{name}/{fname}");
                    t.env
                        .add_template_owned(key.clone(), source)
                        .map_err(|e| TemplateError::Folder(format!("{key}: {e}")))?;
                }
            }
        }
        Ok(t)
    }

    fn render(&self, key: &str, name: &str, vars: &serde_json::Value) -> Result<String, TemplateError> {
        let tmpl = self
            .env
            .get_template(key)
            .map_err(|e| TemplateError::Render { name: name.into(), detail: e.to_string() })?;
        tmpl.render(vars).map_err(|e| TemplateError::Render { name: name.into(), detail: e.to_string() })
    }

    fn exists(&self, key: &str) -> bool {
        self.env.get_template(key).is_ok()
    }

    pub fn render_email(
        &self,
        name: &str,
        locale: Locale,
        vars: &serde_json::Value,
    ) -> Result<RenderedEmail, TemplateError> {
        let base = format!("email/{name}/{}", locale.as_str());
        if !valid_name(name) || !self.exists(&format!("{base}.txt")) {
            return Err(TemplateError::Unknown { channel: "email", name: name.into(), locale: locale.as_str() });
        }
        let subject = self.render(&format!("{base}.subject.txt"), name, vars)?;
        Ok(RenderedEmail {
            // Header injection is impossible: a subject is one line.
            subject: subject.lines().map(str::trim).collect::<Vec<_>>().join(" "),
            text: self.render(&format!("{base}.txt"), name, vars)?,
            html: self.render(&format!("{base}.html"), name, vars)?,
        })
    }

    /// Renders a one-off template string (an SMS provider's body, say).
    pub fn render_inline(&self, source: &str, vars: &serde_json::Value) -> Result<String, TemplateError> {
        self.env
            .render_str(source, vars)
            .map_err(|e| TemplateError::Render { name: "inline".into(), detail: e.to_string() })
    }

    pub fn render_sms(&self, name: &str, locale: Locale, vars: &serde_json::Value) -> Result<String, TemplateError> {
        let key = format!("sms/{name}/{}.txt", locale.as_str());
        if !valid_name(name) || !self.exists(&key) {
            return Err(TemplateError::Unknown { channel: "sms", name: name.into(), locale: locale.as_str() });
        }
        Ok(self.render(&key, name, vars)?.trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_builtin_renders_in_both_locales() {
        let t = Templates::builtin();
        let vars =
            json!({"name": "Li Lei", "session_title": "Rust <3", "starts_at": "10:00", "conference": "RustConf"});
        for name in ["welcome", "session_reminder"] {
            for locale in [Locale::En, Locale::ZhCn] {
                let email = t.render_email(name, locale, &vars);
                assert!(email.as_ref().is_ok_and(|e| !e.subject.is_empty()), "{name} {locale:?}: {email:?}");
                assert!(t.render_sms(name, locale, &vars).is_ok(), "{name} {locale:?}");
            }
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let t = Templates::builtin();
        let vars = json!({"name": "<b>Ann</b>", "session_title": "A & B", "starts_at": "10:00"});
        let email = t.render_email("session_reminder", Locale::En, &vars).ok();
        assert!(email.as_ref().is_some_and(|e| e.html.contains("A &amp; B") && e.html.contains("&lt;b&gt;Ann")));
        assert!(email.as_ref().is_some_and(|e| e.text.contains("A & B")));
    }

    #[test]
    fn missing_variables_and_unknown_templates_are_errors() {
        let t = Templates::builtin();
        let missing = t.render_email("session_reminder", Locale::En, &json!({"name": "x"}));
        assert!(matches!(missing, Err(TemplateError::Render { .. })), "{missing:?}");
        assert!(matches!(t.render_email("nope", Locale::En, &json!({})), Err(TemplateError::Unknown { .. })));
        assert!(matches!(t.render_email("../x", Locale::En, &json!({})), Err(TemplateError::Unknown { .. })));
        assert_eq!(Locale::parse("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("fr"), None);
    }
}
