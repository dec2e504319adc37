package dev.punctual.definition;

/**
 * A target's OAuth 2.0 client-credentials authentication (RFC 6749, section 4.4): before a
 * delivery, Punctual obtains an access token from {@code tokenUrl} with the client's id and secret
 * (HTTP Basic, as section 2.3.1 recommends) and sends it as {@code Authorization: Bearer}. {@code
 * scope} and {@code audience} (an extension most providers take) are optional. The secret is stored
 * sealed and shown as {@code ***}, like a secret header.
 */
public record OAuth2Auth(
    String tokenUrl, String clientId, String clientSecret, String scope, String audience) {
  public static final String TYPE = "oauth2";
}
