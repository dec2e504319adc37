package dev.punctual.job;

/**
 * What backfills need of the settings: the tenant's fire rate (fires per second, 0 for no cap), at
 * which a backfill's runs are made due one after the other.
 */
public record BackfillSettings(int tenantFireRate) {}
