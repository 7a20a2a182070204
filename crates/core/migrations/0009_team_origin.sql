-- Schema 9: the team folder a profile comes from (its canonical path) and the Git commit
-- that folder was at when the profile was last synced or exported (NULL outside Git). A
-- profile made on this desktop has neither: a sync never touches it.
ALTER TABLE profiles ADD COLUMN team_dir TEXT;
ALTER TABLE profiles ADD COLUMN team_commit TEXT;
CREATE INDEX profiles_by_team_dir ON profiles (team_dir) WHERE team_dir IS NOT NULL;
