// Starts Swagger UI on /docs (a separate file: the CSP forbids inline scripts).
// validatorUrl null: never send the schema to swagger.io's online validator.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
