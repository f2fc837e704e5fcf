"""gunicorn settings of `make run`: two sync workers (the machine has two cores), each warmed up."""

workers = 2
accesslog = "var/log/access.log"


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Load jieba, the model and the knowledge index before the worker takes requests."""
    from hotline.warmup import warm_up

    warm_up(worker.wsgi)
