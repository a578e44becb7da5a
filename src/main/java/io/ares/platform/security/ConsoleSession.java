package io.ares.platform.security;

/**
 * A signed-in console session as the server knows it: the user and role it was opened for and the CSRF token of its
 * forms. The token is an HMAC of the session's random id (which only the browser's HttpOnly cookie holds), so it is
 * bound to this session, changes at every sign-in and is never stored.
 */
public record ConsoleSession(byte[] idHash, String user, String role, String csrfToken) {}
