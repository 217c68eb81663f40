-- After the exam the province imports each candidate's scores and, after admission, where they
-- were admitted; the registration record (考生登记表) of every admitted candidate prints both.
-- Each import is kept with its per-row report.
CREATE TABLE result_import (
    id           bigserial PRIMARY KEY,
    year         integer NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('scores', 'admissions')),
    rows         integer NOT NULL,
    imported     integer NOT NULL,
    refused      integer NOT NULL,
    imported_by  bigint NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now()
);

-- 成绩信息: per-subject scores, the total, the bonus counted at import (the highest accepted
-- claim or award) and the archive score (档案分 = total + bonus).
CREATE TABLE exam_result (
    year              integer NOT NULL,
    candidate_number  text NOT NULL,
    candidate_id      bigint NOT NULL,
    scores            jsonb NOT NULL,
    total             numeric(6, 1) NOT NULL,
    bonus             integer NOT NULL,
    archive_score     numeric(6, 1) NOT NULL,
    import_id         bigint NOT NULL REFERENCES result_import (id),
    PRIMARY KEY (year, candidate_number)
);

-- 录取信息 and the integrity record (诚信参考信息) given with it.
CREATE TABLE admission_record (
    year              integer NOT NULL,
    candidate_number  text NOT NULL,
    candidate_id      bigint NOT NULL,
    institution_code  text NOT NULL,
    institution_name  text NOT NULL,
    major_code        text NOT NULL,
    major_name        text NOT NULL,
    integrity         text NOT NULL,
    import_id         bigint NOT NULL REFERENCES result_import (id),
    PRIMARY KEY (year, candidate_number)
);
CREATE INDEX admission_record_institution ON admission_record (year, institution_code, candidate_number);
