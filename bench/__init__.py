"""Side-by-side benchmark against boto3 and aiobotocore (see ``bench/README.md``)."""
