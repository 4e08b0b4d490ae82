-- An id that leaves the database (in a button's data, a worker's card) is never given to a
-- second row. SQLite gives a new row MAX(id) + 1, so erasing the newest person would hand
-- her id to the next one, and a worker's old button would act on that new person. The
-- highest id each of these tables ever held is kept here, raised as rows are deleted; new
-- ids are taken above it (bot/storage/writer.py, next_id).
CREATE TABLE id_high_water (
    name TEXT PRIMARY KEY,
    highest INTEGER NOT NULL
);

CREATE TRIGGER persons_high_water AFTER DELETE ON persons BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('persons', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;

CREATE TRIGGER dialogue_runs_high_water AFTER DELETE ON dialogue_runs BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('dialogue_runs', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;

CREATE TRIGGER invitations_high_water AFTER DELETE ON invitations BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('invitations', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;

CREATE TRIGGER summaries_high_water AFTER DELETE ON summaries BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('summaries', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;

CREATE TRIGGER agreements_high_water AFTER DELETE ON agreements BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('agreements', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;

CREATE TRIGGER appointments_high_water AFTER DELETE ON appointments BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('appointments', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;

CREATE TRIGGER reminders_high_water AFTER DELETE ON reminders BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('reminders', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;

CREATE TRIGGER checkins_high_water AFTER DELETE ON checkins BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('checkins', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;

CREATE TRIGGER safety_held_high_water AFTER DELETE ON safety_held BEGIN
    INSERT INTO id_high_water (name, highest) VALUES ('safety_held', OLD.id)
    ON CONFLICT (name) DO UPDATE SET highest = MAX(highest, excluded.highest);
END;
