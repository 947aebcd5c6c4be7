"""The verifier's doors: thin gRPC servicers that authenticate, admit, delegate and convert."""
