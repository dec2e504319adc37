// Swagger UI on this node's own OpenAPI document (a file, not an inline script, so that a
// Content-Security-Policy without 'unsafe-inline' allows it).
window.ui = SwaggerUIBundle({ url: "/v3/api-docs", dom_id: "#swagger-ui" });
