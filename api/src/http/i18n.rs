//! Localized error messages (en, zh-CN), chosen from `Accept-Language`.
//!
//! Why a task-local: errors are turned into responses deep inside extractors
//! and handlers that never see the request headers. A middleware negotiates
//! the language once and runs the rest of the request inside
//! `LANG.scope(..)`, so `ApiError::into_response` can read it from anywhere.

use axum::extract::Request;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::Response;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

tokio::task_local! {
    pub static LANG: Lang;
}

/// The language of the current request (English outside a request).
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or(Lang::En)
}

/// Picks the best supported language from an `Accept-Language` value,
/// honouring q-values; anything Chinese maps to zh-CN.
pub fn negotiate(header: Option<&str>) -> Lang {
    let Some(h) = header else { return Lang::En };
    let mut best = (Lang::En, -1.0_f32);
    for part in h.split(',') {
        let mut it = part.trim().split(';');
        let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).unwrap_or(1.0);
        let lang = if tag.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if tag.starts_with("en") || tag == "*" {
            Some(Lang::En)
        } else {
            None
        };
        if let Some(l) = lang
            && q > best.1
        {
            best = (l, q);
        }
    }
    best.0
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let lang = negotiate(req.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    LANG.scope(lang, next.run(req)).await
}

/// `(code, en, zh-CN)`. `{field}` and `{detail}` are filled in by the caller.
const CATALOG: &[(&str, &str, &str)] = &[
    ("auth.missing_token", "Authentication is required.", "需要身份验证。"),
    ("auth.invalid_token", "The access token is invalid or expired.", "访问令牌无效或已过期。"),
    ("auth.invalid_ticket", "The ticket is invalid, expired or already used.", "票据无效、已过期或已被使用。"),
    (
        "auth.tickets_not_configured",
        "Login tickets are not available: this server verifies tokens from an identity provider and cannot issue them.",
        "登录票据不可用：此服务器只验证身份提供方签发的令牌，无法签发令牌。",
    ),
    (
        "idempotency.conflict",
        "This Idempotency-Key was already used for a different request.",
        "此 Idempotency-Key 已用于另一个不同的请求。",
    ),
    ("auth.forbidden", "You do not have permission to do this.", "您没有执行此操作的权限。"),
    ("auth.tenant_mismatch", "The tenant in the request does not match your token.", "请求中的租户与您的令牌不一致。"),
    ("request.invalid", "The request is invalid: {field} {detail}.", "请求无效：{field} {detail}。"),
    (
        "request.malformed_json",
        "The request body is not valid JSON for this endpoint.",
        "请求体不是此接口可接受的 JSON。",
    ),
    ("request.too_large", "The request body is too large.", "请求体过大。"),
    ("request.rate_limited", "Too many requests; retry later.", "请求过于频繁，请稍后重试。"),
    ("request.unsupported_media_type", "The content type is not supported.", "不支持该内容类型。"),
    ("job.not_found", "No such job.", "任务不存在。"),
    ("job.not_cancellable", "The job can no longer be cancelled.", "该任务已无法取消。"),
    ("job.not_retryable", "Only failed or dead jobs can be retried.", "只有失败或已终止的任务可以重试。"),
    ("analytics.invalid_event", "Event {field} is invalid: {detail}.", "事件 {field} 无效：{detail}。"),
    ("analytics.batch_too_large", "A batch holds 1 to 1000 events.", "每批事件数量须为 1 到 1000。"),
    ("notification.unknown_template", "Unknown template: {detail}.", "未知模板：{detail}。"),
    ("notification.template_error", "The template variables are incomplete: {detail}.", "模板变量不完整：{detail}。"),
    ("sms.not_configured", "SMS sending is not configured on this server.", "此服务器未配置短信发送。"),
    ("webhook.invalid_url", "The webhook URL is not allowed: {detail}.", "不允许使用该 Webhook 地址：{detail}。"),
    (
        "webhook.forbidden_target",
        "The webhook URL points to a private or internal address.",
        "该 Webhook 地址指向私有或内部地址。",
    ),
    ("webhook.not_found", "No such webhook.", "Webhook 不存在。"),
    ("audio.unsupported_format", "The file is not a supported audio format.", "文件不是受支持的音频格式。"),
    ("audio.corrupt", "The audio file is damaged.", "音频文件已损坏。"),
    ("audio.empty", "The audio file is empty.", "音频文件为空。"),
    ("audio.too_long", "The recording is too long.", "录音过长。"),
    (
        "audio.invalid_params",
        "The audio has an unsupported sample rate or channel count.",
        "音频的采样率或声道数不受支持。",
    ),
    ("audio.missing", "The uploaded audio is no longer available.", "上传的音频已不可用。"),
    ("asr.invalid_options", "The transcription options are invalid.", "转写参数无效。"),
    ("job.timeout", "Processing took too long.", "处理超时。"),
    ("request.timeout", "The request took too long and was stopped.", "请求耗时过长，已被中止。"),
    ("transcription.failed", "The audio could not be transcribed.", "无法转写该音频。"),
    ("transcription.timeout", "The transcript is not ready yet; try again later.", "转写尚未完成，请稍后重试。"),
    ("document.empty", "The file is empty.", "文件为空。"),
    (
        "document.unsupported_format",
        "The file is not a supported document or image type (recognized from its content).",
        "文件不是受支持的文档或图片类型（按内容识别）。",
    ),
    (
        "document.multiple_files",
        "Several files are accepted only when all of them are images.",
        "仅当所有文件都是图片时才可一次上传多个文件。",
    ),
    ("document.not_found", "No such document.", "文档不存在。"),
    ("document.not_ready", "The document is still being processed.", "文档仍在处理中。"),
    ("document.failed", "The document could not be processed; see its error.", "文档处理失败，请查看错误信息。"),
    (
        "image.unsupported_format",
        "The file is not a supported image (png, jpeg, tiff, webp, bmp).",
        "文件不是受支持的图片格式（png、jpeg、tiff、webp、bmp）。",
    ),
    ("image.empty", "The image is empty.", "图片为空。"),
    ("request.range_not_satisfiable", "The requested range is outside the file.", "请求的范围超出文件大小。"),
    ("route.not_found", "No such endpoint.", "接口不存在。"),
    ("service.unavailable", "A backing service is unavailable.", "后端服务不可用。"),
    ("internal", "Something went wrong on our side.", "服务器内部错误。"),
];

/// The localized message for `code`, with placeholders filled.
pub fn message(code: &str, lang: Lang, field: &str, detail: &str) -> String {
    let (en, zh) = CATALOG
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, zh)| (*en, *zh))
        .unwrap_or(("Something went wrong on our side.", "服务器内部错误。"));
    let template = match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    };
    template.replace("{field}", field).replace("{detail}", detail)
}

/// Every code with a message, for the catalog test.
pub fn codes() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|(c, _, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_honours_q_values() {
        assert_eq!(negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::ZhCn);
        assert_eq!(negotiate(Some("en-US,zh-CN;q=0.5")), Lang::En);
        assert_eq!(negotiate(Some("fr-FR")), Lang::En);
        assert_eq!(negotiate(None), Lang::En);
    }

    #[test]
    fn every_code_has_both_languages() {
        for (code, en, zh) in CATALOG {
            assert!(!en.is_empty() && !zh.is_empty(), "{code}");
            assert_ne!(en, zh, "{code} is not translated");
        }
    }
}
