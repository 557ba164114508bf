"""Parses gcloud command lines with the real gcloud CLI's own argument parser, without running them.

Reads a JSON list of argument lists (without the leading "gcloud") on standard input and prints a JSON list with one
{"ok": true} or {"ok": false} per command; gcloud's own error messages go to standard error. Run it with the SDK's
Python and its lib/ and lib/third_party/ on PYTHONPATH (test/support/gcloud.ts does).
"""
import json
import sys

from googlecloudsdk import gcloud_main

parser = gcloud_main.CreateCLI([])._CLI__parser
results = []
for argv in json.load(sys.stdin):
    sys.stderr.write('--- gcloud %s\n' % ' '.join(argv))
    sys.stderr.flush()
    try:
        args = parser.parse_args(argv)
        if args.CONCEPT_ARGS is not None:
            args.CONCEPT_ARGS.ParseConcepts()
        results.append({'ok': True})
    except BaseException as e:  # argparse exits (SystemExit) on a bad flag; concept errors raise
        results.append({'ok': False, 'error': '%s: %s' % (type(e).__name__, e)})
print(json.dumps(results))
