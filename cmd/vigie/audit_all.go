package main

// defaultParallel is how many portals `vigie audit` audits at once.
const defaultParallel = 3
