/**
 * The cluster's nodes: their heartbeats ({@code nodes}), how many are alive by role ({@link
 * dev.punctual.node.LiveNodes}, which per-tenant limits divide by), and {@code GET /api/v1/nodes}.
 * The engine writes the heartbeats; the API reads them.
 */
package dev.punctual.node;
