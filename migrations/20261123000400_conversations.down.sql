-- Undo 20261123000400_conversations. Dropping messages also drops all of its partitions
-- (the DEFAULT one and any monthly ones created by ensure_monthly_partitions()).

DROP TRIGGER messages_update_conversation_counters ON messages;
DROP FUNCTION messages_update_conversation_counters();
DROP TABLE messages;
DROP FUNCTION message_search_vector(text);
DROP TABLE conversations;
DROP TABLE sessions;
