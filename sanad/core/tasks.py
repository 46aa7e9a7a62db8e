from django_tasks import task


@task()
def run_job(job_pk: int) -> str:
    """The worker's entry point for every Sanad job (see core.jobs)."""
    from sanad.core.jobs import job_run

    return job_run(job_pk).status
