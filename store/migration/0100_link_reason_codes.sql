-- Link reasons become codes with parameters ("http_status|404",
-- "dns_not_found|host.example") that each report renders in its own
-- language; until now the checker stored English prose, which showed inside
-- French reports. The English texts an older vigie wrote are converted where
-- they are recognised; anything else stays as it was and is shown as is.
UPDATE links SET reason = CASE
    WHEN reason GLOB '* (HTTP [0-9][0-9][0-9])' AND substr(reason, 1, length(reason) - 11) IN ('not found', 'gone', 'server error', 'refuses the request', 'requires a login', 'refuses access', 'answers with a redirect that cannot be followed', 'answers with an unusual status') THEN 'http_status|' || substr(reason, length(reason) - 3, 3)
    WHEN reason GLOB 'blocks automated clients with a bot challenge (HTTP [0-9][0-9][0-9])' THEN 'bot_challenge|' || substr(reason, length(reason) - 3, 3)
    WHEN reason GLOB 'temporarily unavailable (HTTP [0-9][0-9][0-9])' THEN 'temporarily_unavailable|' || substr(reason, length(reason) - 3, 3)
    WHEN reason GLOB 'asks to slow down (HTTP [0-9][0-9][0-9])' THEN 'rate_limited|' || substr(reason, length(reason) - 3, 3)
    WHEN reason GLOB 'asks to slow down (HTTP [0-9][0-9][0-9]); Retry-After * is too long to wait' THEN 'rate_limited|' || substr(reason, 25, 3) || '|' || substr(reason, 43, length(reason) - 42 - 20)
    WHEN reason = 'answers with an OGC service exception report' THEN 'ogc_exception'
    WHEN reason = 'answers with an empty body' THEN 'empty_body'
    WHEN reason = 'address is not public' THEN 'blocked_address'
    WHEN reason = 'redirect loop' THEN 'redirect_loop'
    WHEN reason = 'connection refused' THEN 'connection_refused'
    WHEN reason = 'host unreachable' THEN 'host_unreachable'
    WHEN reason = 'the server closed the connection' THEN 'connection_closed'
    WHEN reason = 'check interrupted' THEN 'check_interrupted'
    WHEN reason = 'host unreachable during this run: not checked, tried again next run' THEN 'host_unreachable_this_run'
    WHEN reason = 'the URL is empty' THEN 'invalid_url|empty'
    WHEN reason = 'the URL contains control characters' THEN 'invalid_url|control'
    WHEN reason = 'not a URL: it has no scheme such as https://' THEN 'invalid_url|no_scheme'
    WHEN reason = 'not a URL: it looks like a file path' THEN 'invalid_url|file_path'
    WHEN reason = 'not a URL: it has no host name' THEN 'invalid_url|no_host'
    WHEN reason GLOB 'more than [0-9]* redirects' THEN 'too_many_redirects|' || substr(reason, 11, length(reason) - 10 - 10)
    WHEN reason GLOB 'redirects to an unsupported scheme *:' THEN 'redirect_unsupported_scheme|' || substr(reason, 36, length(reason) - 35 - 1)
    WHEN reason GLOB 'host name does not resolve (*)' THEN 'dns_not_found|' || substr(reason, 29, length(reason) - 28 - 1)
    WHEN reason GLOB 'host name lookup failed (*)' THEN 'dns_failed|' || substr(reason, 26, length(reason) - 25 - 1)
    WHEN reason GLOB 'no answer within *' THEN 'timeout|' || substr(reason, 18)
    WHEN reason GLOB 'the body could not be read: no answer within *' THEN 'body_unreadable|timeout|' || substr(reason, 46)
    WHEN reason GLOB 'the body could not be read: *' THEN 'body_unreadable'
    WHEN reason GLOB 'TLS error: *unknown authority*' THEN 'tls_error|unknown_authority'
    WHEN reason GLOB 'TLS error: *valid for*' THEN 'tls_error|hostname'
    WHEN reason GLOB 'TLS error: *expired*' THEN 'tls_error|invalid'
    WHEN reason GLOB 'TLS error: *' THEN 'tls_error|handshake'
    WHEN reason GLOB 'request failed: *' THEN 'request_failed|' || replace(replace(substr(reason, 17), '|', '/'), ';', ',')
    WHEN reason GLOB 'not a URL: bad port *' THEN 'invalid_url|bad_port|' || substr(reason, 21)
    WHEN reason GLOB 'not a URL: *' THEN 'invalid_url|parse|' || replace(replace(substr(reason, 12), '|', '/'), ';', ',')
    WHEN reason GLOB 'unsupported scheme *: not checked' THEN 'unsupported_scheme|' || substr(reason, 20, length(reason) - 19 - 13)
    WHEN reason GLOB 'serves an HTML page where * data was declared; reached after [0-9]* redirects: point the resource at the final address' THEN 'landing_page|' || substr(reason, 27, instr(reason, ' data was declared;') - 27) || ';many_redirects|' || substr(reason, instr(reason, '; reached after ') + 16, length(reason) - instr(reason, '; reached after ') - 16 - 51 + 1)
    WHEN reason GLOB 'serves an HTML page where * data was declared' THEN 'landing_page|' || substr(reason, 27, length(reason) - 26 - 18)
    WHEN reason GLOB 'reached after [0-9]* redirects: point the resource at the final address' THEN 'many_redirects|' || substr(reason, 15, length(reason) - 14 - 51)
    ELSE reason
END
WHERE reason <> '';

UPDATE link_checks SET reason = CASE
    WHEN reason GLOB '* (HTTP [0-9][0-9][0-9])' AND substr(reason, 1, length(reason) - 11) IN ('not found', 'gone', 'server error', 'refuses the request', 'requires a login', 'refuses access', 'answers with a redirect that cannot be followed', 'answers with an unusual status') THEN 'http_status|' || substr(reason, length(reason) - 3, 3)
    WHEN reason GLOB 'blocks automated clients with a bot challenge (HTTP [0-9][0-9][0-9])' THEN 'bot_challenge|' || substr(reason, length(reason) - 3, 3)
    WHEN reason GLOB 'temporarily unavailable (HTTP [0-9][0-9][0-9])' THEN 'temporarily_unavailable|' || substr(reason, length(reason) - 3, 3)
    WHEN reason GLOB 'asks to slow down (HTTP [0-9][0-9][0-9])' THEN 'rate_limited|' || substr(reason, length(reason) - 3, 3)
    WHEN reason GLOB 'asks to slow down (HTTP [0-9][0-9][0-9]); Retry-After * is too long to wait' THEN 'rate_limited|' || substr(reason, 25, 3) || '|' || substr(reason, 43, length(reason) - 42 - 20)
    WHEN reason = 'answers with an OGC service exception report' THEN 'ogc_exception'
    WHEN reason = 'answers with an empty body' THEN 'empty_body'
    WHEN reason = 'address is not public' THEN 'blocked_address'
    WHEN reason = 'redirect loop' THEN 'redirect_loop'
    WHEN reason = 'connection refused' THEN 'connection_refused'
    WHEN reason = 'host unreachable' THEN 'host_unreachable'
    WHEN reason = 'the server closed the connection' THEN 'connection_closed'
    WHEN reason = 'check interrupted' THEN 'check_interrupted'
    WHEN reason = 'host unreachable during this run: not checked, tried again next run' THEN 'host_unreachable_this_run'
    WHEN reason = 'the URL is empty' THEN 'invalid_url|empty'
    WHEN reason = 'the URL contains control characters' THEN 'invalid_url|control'
    WHEN reason = 'not a URL: it has no scheme such as https://' THEN 'invalid_url|no_scheme'
    WHEN reason = 'not a URL: it looks like a file path' THEN 'invalid_url|file_path'
    WHEN reason = 'not a URL: it has no host name' THEN 'invalid_url|no_host'
    WHEN reason GLOB 'more than [0-9]* redirects' THEN 'too_many_redirects|' || substr(reason, 11, length(reason) - 10 - 10)
    WHEN reason GLOB 'redirects to an unsupported scheme *:' THEN 'redirect_unsupported_scheme|' || substr(reason, 36, length(reason) - 35 - 1)
    WHEN reason GLOB 'host name does not resolve (*)' THEN 'dns_not_found|' || substr(reason, 29, length(reason) - 28 - 1)
    WHEN reason GLOB 'host name lookup failed (*)' THEN 'dns_failed|' || substr(reason, 26, length(reason) - 25 - 1)
    WHEN reason GLOB 'no answer within *' THEN 'timeout|' || substr(reason, 18)
    WHEN reason GLOB 'the body could not be read: no answer within *' THEN 'body_unreadable|timeout|' || substr(reason, 46)
    WHEN reason GLOB 'the body could not be read: *' THEN 'body_unreadable'
    WHEN reason GLOB 'TLS error: *unknown authority*' THEN 'tls_error|unknown_authority'
    WHEN reason GLOB 'TLS error: *valid for*' THEN 'tls_error|hostname'
    WHEN reason GLOB 'TLS error: *expired*' THEN 'tls_error|invalid'
    WHEN reason GLOB 'TLS error: *' THEN 'tls_error|handshake'
    WHEN reason GLOB 'request failed: *' THEN 'request_failed|' || replace(replace(substr(reason, 17), '|', '/'), ';', ',')
    WHEN reason GLOB 'not a URL: bad port *' THEN 'invalid_url|bad_port|' || substr(reason, 21)
    WHEN reason GLOB 'not a URL: *' THEN 'invalid_url|parse|' || replace(replace(substr(reason, 12), '|', '/'), ';', ',')
    WHEN reason GLOB 'unsupported scheme *: not checked' THEN 'unsupported_scheme|' || substr(reason, 20, length(reason) - 19 - 13)
    WHEN reason GLOB 'serves an HTML page where * data was declared; reached after [0-9]* redirects: point the resource at the final address' THEN 'landing_page|' || substr(reason, 27, instr(reason, ' data was declared;') - 27) || ';many_redirects|' || substr(reason, instr(reason, '; reached after ') + 16, length(reason) - instr(reason, '; reached after ') - 16 - 51 + 1)
    WHEN reason GLOB 'serves an HTML page where * data was declared' THEN 'landing_page|' || substr(reason, 27, length(reason) - 26 - 18)
    WHEN reason GLOB 'reached after [0-9]* redirects: point the resource at the final address' THEN 'many_redirects|' || substr(reason, 15, length(reason) - 14 - 51)
    ELSE reason
END
WHERE reason <> '';
