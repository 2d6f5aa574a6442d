package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// vigieArgsValid fails the test when args is not a vigie command with flags
// it accepts.
func vigieArgsValid(t *testing.T, where string, args []string) {
	t.Helper()
	root := NewRootCmd(&App{Stdout: os.Stdout, Stderr: os.Stderr})
	c, rest, err := root.Find(args)
	if err != nil || c == root {
		t.Errorf("%s: %q is no vigie command: %v", where, args, err)
		return
	}
	if err := c.ParseFlags(rest); err != nil {
		t.Errorf("%s: %q: %v", where, args, err)
	}
	if c.Args != nil {
		if err := c.Args(c, c.Flags().Args()); err != nil {
			t.Errorf("%s: %q: %v", where, args, err)
		}
	}
}

// deploy/docker-compose.yml is valid YAML; its PostgreSQL service and its
// workers share one VIGIE_DB, the workers run 'vigie worker', and every
// command it runs is a vigie command with flags vigie accepts.
func TestDeployComposeFile(t *testing.T) {
	b, err := os.ReadFile("../../deploy/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Deploy      struct {
				Replicas int `yaml:"replicas"`
			} `yaml:"deploy"`
			Build struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile"`
			} `yaml:"build"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	pg, ok := f.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") {
		t.Fatalf("no postgres service: %+v", f.Services)
	}
	w := f.Services["worker"]
	if len(w.Command) == 0 || w.Command[0] != "worker" || w.Deploy.Replicas < 2 {
		t.Fatalf("worker service: %+v", w)
	}
	if !strings.HasPrefix(w.Environment["VIGIE_DB"], "postgres://") || !strings.Contains(w.Environment["VIGIE_DB"], "@postgres:5432/") {
		t.Errorf("workers' VIGIE_DB: %q", w.Environment["VIGIE_DB"])
	}
	if _, err := os.Stat("../../" + strings.TrimPrefix(w.Build.Dockerfile, "./")); err != nil || w.Build.Context != ".." {
		t.Errorf("build: %+v: %v", w.Build, err)
	}
	n := 0
	for name, s := range f.Services {
		if name == "postgres" {
			continue
		}
		if s.Environment["VIGIE_DB"] != w.Environment["VIGIE_DB"] {
			t.Errorf("%s: another VIGIE_DB", name)
		}
		vigieArgsValid(t, "docker-compose.yml "+name, s.Command)
		n++
	}
	if n < 3 {
		t.Errorf("want workers, an add-portals job and a report job: %d vigie services", n)
	}
}

// The Kubernetes CronJob runs 'vigie worker --once' with its DSN from a Secret.
func TestDeployKubernetesCronJob(t *testing.T) {
	b, err := os.ReadFile("../../deploy/kubernetes/vigie-worker-cronjob.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type env struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	}
	var cj struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Spec       struct {
			Schedule    string `yaml:"schedule"`
			JobTemplate struct {
				Spec struct {
					Template struct {
						Spec struct {
							RestartPolicy string `yaml:"restartPolicy"`
							Containers    []struct {
								Args []string `yaml:"args"`
								Env  []env    `yaml:"env"`
							} `yaml:"containers"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			} `yaml:"jobTemplate"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(false)
	if err := dec.Decode(&cj); err != nil {
		t.Fatal(err)
	}
	if cj.APIVersion != "batch/v1" || cj.Kind != "CronJob" || len(strings.Fields(cj.Spec.Schedule)) != 5 {
		t.Fatalf("%+v", cj)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	if pod.RestartPolicy != "Never" && pod.RestartPolicy != "OnFailure" || len(pod.Containers) != 1 {
		t.Fatalf("pod: %+v", pod)
	}
	c := pod.Containers[0]
	if len(c.Args) < 2 || c.Args[0] != "worker" || c.Args[1] != "--once" {
		t.Errorf("args: %q", c.Args)
	}
	vigieArgsValid(t, "vigie-worker-cronjob.yaml", c.Args)
	secret := false
	for _, e := range c.Env {
		if e.Name == "VIGIE_DB" {
			secret = e.Value == "" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Key != ""
		}
	}
	if !secret {
		t.Errorf("VIGIE_DB must come from a Secret: %+v", c.Env)
	}
}
