-- Version 3: askers told that their question was answered, once each.
CREATE TABLE notifications (
    question_id INTEGER PRIMARY KEY,
    post_slug   TEXT    NOT NULL,
    sent        TEXT    NOT NULL    -- RFC 3339, UTC
);
