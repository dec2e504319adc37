package dev.punctual.audit;

import java.time.Duration;

/** What the audit log needs of the settings: how long an entry is kept (the runs' retention). */
public record AuditSettings(Duration retention) {}
