-- The original owntracks2db's table, exactly as it created it. A database that already has it keeps it as it
-- is (Flyway baselines such a database at version 0, so this runs and does nothing); V2 then upgrades it.
CREATE TABLE IF NOT EXISTS locationupdates (
    acc int, alt int, batt int, cog int, lat float, lon float, radius int, t char(1), tid varchar(16),
    tst timestamp PRIMARY KEY, vac int, vel int, p int, conn char(1), rawdata json, userid varchar(64),
    device varchar(64));
