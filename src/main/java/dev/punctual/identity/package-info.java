/**
 * Who is calling: the request's {@link dev.punctual.identity.Caller} (admin or tenant, key and
 * scope), set by the API key filter and read by every controller. Below the features that use it,
 * so that none of them depends on {@code tenant} for it.
 */
package dev.punctual.identity;
