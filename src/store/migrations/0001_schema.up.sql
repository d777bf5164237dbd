-- 0001: the whole data model of DESIGN.md.
-- Times are INTEGER unix seconds (UTC); NULL where optional and unset.
-- tournaments carries denormalized registration counters (n_*), maintained in the
-- same transaction as every registration write, so state/detail/list read one row.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'player' CHECK (role IN ('player', 'admin')),
    created_at INTEGER NOT NULL
);
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX tokens_expires ON tokens(expires_at);
CREATE TABLE games (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    team_size INTEGER NOT NULL DEFAULT 1 CHECK (team_size BETWEEN 1 AND 64)
);
CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    tag TEXT NOT NULL,
    captain_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX teams_captain ON teams(captain_id);
CREATE TABLE team_members (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);
CREATE TABLE tournaments (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    game_id INTEGER NOT NULL REFERENCES games(id),
    organizer_id INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published',
        'registration_open', 'registration_closed', 'live', 'completed', 'cancelled')),
    format TEXT NOT NULL CHECK (format IN ('single_elimination', 'double_elimination',
        'round_robin', 'swiss')),
    format_options TEXT NOT NULL DEFAULT '{}',
    participant_type TEXT NOT NULL CHECK (participant_type IN ('solo', 'team')),
    max_participants INTEGER NOT NULL CHECK (max_participants BETWEEN 2 AND 1024),
    entry_fee_cents INTEGER NOT NULL DEFAULT 0 CHECK (entry_fee_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'USD',
    check_in_required INTEGER NOT NULL DEFAULT 0,
    registration_opens_at INTEGER,
    registration_closes_at INTEGER,
    start_at INTEGER NOT NULL,
    current_round INTEGER NOT NULL DEFAULT 0,
    n_pending INTEGER NOT NULL DEFAULT 0,
    n_confirmed INTEGER NOT NULL DEFAULT 0,
    n_checked_in INTEGER NOT NULL DEFAULT 0,
    n_cancelled INTEGER NOT NULL DEFAULT 0,
    is_deleted INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX tournaments_game_status ON tournaments(game_id, status, is_deleted);
CREATE INDEX tournaments_status_start ON tournaments(status, start_at DESC);
CREATE INDEX tournaments_start ON tournaments(start_at DESC, id DESC);
CREATE INDEX tournaments_organizer ON tournaments(organizer_id, start_at DESC);
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    tournament_id INTEGER NOT NULL REFERENCES tournaments(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'checked_in', 'cancelled')),
    seed INTEGER,
    created_at INTEGER NOT NULL,
    checked_in_at INTEGER
);
CREATE INDEX registrations_tournament_user ON registrations(tournament_id, user_id);
CREATE INDEX registrations_tournament_status ON registrations(tournament_id, status, id);
CREATE INDEX registrations_user ON registrations(user_id, id);
-- one active registration per (tournament, user) and per (tournament, team)
CREATE UNIQUE INDEX registrations_active_user ON registrations(tournament_id, user_id)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX registrations_active_team ON registrations(tournament_id, team_id)
    WHERE status <> 'cancelled' AND team_id IS NOT NULL;
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    method TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected')),
    reason TEXT,
    verified_by INTEGER REFERENCES users(id),
    verified_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX payments_registration_status ON payments(registration_id, status);
-- at most one pending payment per registration
CREATE UNIQUE INDEX payments_one_pending ON payments(registration_id) WHERE status = 'pending';
CREATE TABLE matches (
    id INTEGER PRIMARY KEY,
    tournament_id INTEGER NOT NULL REFERENCES tournaments(id),
    bracket TEXT NOT NULL CHECK (bracket IN ('winners', 'losers', 'grand_final',
        'third_place', 'group', 'swiss')),
    round INTEGER NOT NULL,
    position INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'live', 'completed')),
    p1_registration_id INTEGER REFERENCES registrations(id),
    p2_registration_id INTEGER REFERENCES registrations(id),
    score1 INTEGER,
    score2 INTEGER,
    winner_registration_id INTEGER REFERENCES registrations(id),
    next_match_id INTEGER REFERENCES matches(id),
    next_slot INTEGER,
    loser_next_match_id INTEGER REFERENCES matches(id),
    loser_next_slot INTEGER,
    scheduled_at INTEGER,
    completed_at INTEGER
);
CREATE INDEX matches_tournament_state ON matches(tournament_id, state);
CREATE INDEX matches_tournament_order ON matches(tournament_id, bracket, round, position);
CREATE TABLE leaderboard_rows (
    id INTEGER PRIMARY KEY,
    game_id INTEGER NOT NULL REFERENCES games(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    tournaments INTEGER NOT NULL DEFAULT 0,
    matches_won INTEGER NOT NULL DEFAULT 0,
    matches_lost INTEGER NOT NULL DEFAULT 0,
    points INTEGER NOT NULL DEFAULT 0,
    computed_at INTEGER NOT NULL,
    UNIQUE (game_id, user_id)
);
CREATE INDEX leaderboard_rank ON leaderboard_rows(game_id, points DESC, user_id);
-- catalog-wide counters (catalog version covers the lists)
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('catalog_version', 1);
