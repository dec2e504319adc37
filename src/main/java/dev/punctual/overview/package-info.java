/**
 * What a tenant's day looks like at a glance: the numbers the dashboard's overview and job list
 * show ({@code GET /api/v1/overview}, {@code GET /api/v1/jobs/recent-outcomes}), each read with one
 * or two indexed queries so that an open dashboard costs the database little.
 */
package dev.punctual.overview;
