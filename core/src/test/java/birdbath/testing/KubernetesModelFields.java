package birdbath.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes objects from YAML, held against fabric8's typed model, which is generated from the Kubernetes API's
 * OpenAPI schema: a key the type does not have lands in the object's additionalProperties instead of failing,
 * so every such key anywhere in an object is a problem here, named by its path ("DaemonSet kube-flannel-ds:
 * spec.template.spec.tolerations[0].operatr"). Each document must also be a kind the model knows.
 */
public final class KubernetesModelFields {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private KubernetesModelFields() { }

    /** The problems of a multi-document YAML manifest; empty when every key is one its type has. */
    public static List<String> problems(String yaml) {
        List<String> problems = new ArrayList<>();
        Object parsed = SERIALIZATION.unmarshal(yaml);
        List<?> objects = parsed instanceof List<?> l ? l : List.of(parsed);
        for (Object o : objects) {
            if (!(o instanceof HasMetadata h) || o.getClass().getName().endsWith("GenericKubernetesResource")) {
                problems.add("not a kind of the Kubernetes API: " + o);
                continue;
            }
            walk(h.getKind() + " " + h.getMetadata().getName() + ":", "", o, problems, new IdentityHashMap<>());
        }
        return problems;
    }

    private static void walk(String object, String path, Object value, List<String> problems,
                             Map<Object, Boolean> seen) {
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")
                || seen.put(value, true) != null) {
            return;
        }
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getName().equals("getClass")) {
                continue;
            }
            Object child;
            try {
                child = m.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) child).keySet().forEach(k -> problems.add(object + " " + path + k
                        + " is no field of " + value.getClass().getSimpleName()));
                continue;
            }
            String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (child instanceof Collection<?> c) {
                int i = 0;
                for (Object element : c) {
                    walk(object, path + name + "[" + i++ + "].", element, problems, seen);
                }
            } else if (child instanceof Map<?, ?> map) {
                map.forEach((k, v) -> walk(object, path + name + "." + k + ".", v, problems, seen));
            } else {
                walk(object, path + name + ".", child, problems, seen);
            }
        }
    }
}
