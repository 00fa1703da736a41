-- Report chains: a task's result feeds another task's ("các bộ phận báo cáo
-- trước ngày 05 tháng cuối quý; Văn phòng tổng hợp, nộp quận trước mùng 10"):
-- a late link threatens the deadline it feeds.
CREATE TABLE registry.task_feed (
    task_id      bigint NOT NULL REFERENCES registry.task (id),
    into_task_id bigint NOT NULL REFERENCES registry.task (id),
    linked_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, into_task_id),
    CHECK (task_id <> into_task_id)
);
