-- Report chains (from the registry's TaskFeeds events): task_id's result
-- feeds into_task_id; a late occurrence of the first threatens the next open
-- occurrence of the second.
CREATE TABLE deadline.task_feed (
    task_id      bigint NOT NULL,
    into_task_id bigint NOT NULL,
    PRIMARY KEY (task_id, into_task_id)
);
