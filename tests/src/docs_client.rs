//! Client helpers for the documents and OCR endpoints.

use std::time::Duration;

use serde_json::Value;

use crate::TestApp;
use crate::app::json;

impl TestApp {
    /// `POST path` with one multipart `file` part per `(name, bytes)`, plus
    /// text fields.
    pub async fn upload_files(
        &self,
        path: &str,
        token: &str,
        files: &[(&str, Vec<u8>)],
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        for (name, bytes) in files {
            form = form.part("file", reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
        }
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// Uploads a document and returns the `202` job view.
    pub async fn upload_document(&self, token: &str, name: &str, bytes: Vec<u8>, ocr: Option<&str>) -> Value {
        let fields: Vec<(&str, &str)> = ocr.map(|o| vec![("ocr", o)]).unwrap_or_default();
        let resp = self.upload_files("/v1/documents", token, &[(name, bytes)], &fields).await;
        assert_eq!(resp.status().as_u16(), 202, "upload of {name}");
        json(resp).await
    }

    /// Waits for a job to end (`succeeded`, `dead` or `cancelled`).
    pub async fn finished(&self, token: &str, job: &Value, within: Duration) -> Value {
        let id = job["id"].as_str().unwrap_or_else(|| panic!("no job id in {job}"));
        self.wait_for_status(token, id, &["succeeded", "dead", "cancelled"], within).await
    }

    /// Uploads and waits for the conversion to end; returns the final job.
    pub async fn convert(&self, token: &str, name: &str, bytes: Vec<u8>, within: Duration) -> Value {
        let job = self.upload_document(token, name, bytes, None).await;
        self.finished(token, &job, within).await
    }

    pub async fn document(&self, token: &str, id: &str) -> Value {
        json(self.get(&format!("/v1/documents/{id}"), token).await).await
    }

    pub async fn document_text(&self, token: &str, id: &str) -> Value {
        json(self.get(&format!("/v1/documents/{id}/text"), token).await).await
    }
}
