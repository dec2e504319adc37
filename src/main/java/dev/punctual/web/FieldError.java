package dev.punctual.web;

/** One bad field of a request: its JSON path ({@code schedule.cron}) and what is wrong. */
public record FieldError(String field, String message) {}
