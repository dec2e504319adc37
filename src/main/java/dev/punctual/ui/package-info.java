/**
 * The dashboard at {@code /ui}: static pages and plain JavaScript modules bundled in the jar
 * ({@code static/ui/}), which call the public API with the session opened here. Everything the
 * dashboard shows or changes goes through the API, so it can do nothing a key could not, and the
 * API's validation errors are the form's.
 */
package dev.punctual.ui;
