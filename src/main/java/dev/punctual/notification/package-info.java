/**
 * Notifications over the API: a tenant's notification endpoint and its events. The events are
 * recorded by the engine's statements and sent by its notifier (docs/api.md, "Notifications").
 */
package dev.punctual.notification;
