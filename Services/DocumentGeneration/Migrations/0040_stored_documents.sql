-- Every document made, one file per kind, subject and version under DOCUMENT_STORE: made once
-- per version of its data, then served from the file. The subject is the candidate (tickets,
-- registration records), the flow-form request or the site pack.
CREATE TABLE stored_document (
    kind        text NOT NULL CHECK (kind IN ('registration_flow_form', 'admission_ticket', 'site_pack', 'registration_record')),
    subject     text NOT NULL,
    version     integer NOT NULL,
    -- The file's path under the store.
    file        text NOT NULL UNIQUE,
    bytes       integer NOT NULL,
    sha256      bytea NOT NULL,
    pages       integer NOT NULL,
    made_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, subject, version)
);

-- Characters a document could not print because no installed font has them (rare name
-- characters): the document is still made, and staff see this list instead of a blank box.
CREATE TABLE document_glyph_problem (
    kind          text NOT NULL,
    subject       text NOT NULL,
    version       integer NOT NULL,
    candidate_id  bigint,
    field         text NOT NULL,
    characters    text NOT NULL,
    noted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, subject, version, field)
);
CREATE INDEX document_glyph_problem_noted ON document_glyph_problem (noted_at);

-- A county's request for one exam site's materials: one message per room (door sheet, seat
-- labels, sign-in sheets), spread over the workers; the pack (a ZIP with the site summary) is
-- stored when the last room is made.
CREATE TABLE site_pack (
    id            uuid PRIMARY KEY,
    run_id        uuid NOT NULL,
    site_id       text NOT NULL,
    requested_by  bigint NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    rooms         integer NOT NULL,
    made_at       timestamptz
);
CREATE INDEX site_pack_site ON site_pack (site_id, requested_at);

CREATE TABLE site_pack_room (
    pack_id        uuid NOT NULL REFERENCES site_pack (id),
    district_code  text NOT NULL,
    room           integer NOT NULL,
    file           text,
    pages          integer,
    made_at        timestamptz,
    PRIMARY KEY (pack_id, district_code, room)
);

-- A year's own layout of a page kind, replacing the bundled one without a release.
CREATE TABLE document_layout (
    year        integer NOT NULL,
    page_kind   text NOT NULL,
    layout      jsonb NOT NULL,
    updated_by  bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, page_kind)
);
